#!/usr/bin/env python3
"""HTML reports in a real browser (Debian's chromium, headless).

usage: check_html.py OUTDIR PAGE[:failed[,marked]] ...

For each page: a screenshot at 1280x2000 must exist, be a PNG of that size, not be blank, and
show the report's inline styles (a failed page its red failure marks, a marked page the yellow
of its marked characters, as a diff page has); and the page must fetch
nothing. Requests are read from chromium's net log: a request made for the page carries the
page's file:// site (chromium's own background traffic does not), and a canary page with an
external image and stylesheet proves that such requests are seen. Each page is also rendered with
its Content-Security-Policy removed, so an external reference cannot hide behind the policy.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SIZE = (1280, 2000)
CSP = '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; img-src data:">'
FAIL_RED = (179, 38, 30)  # --fail in the report's CSS
MARK_YELLOW = (255, 224, 138)  # the background of <mark> in the report's CSS


def render(page, outdir, name, screenshot):
    """Renders `page`; returns the net log's events and the screenshot path (or None)."""
    profile = tempfile.mkdtemp(dir=outdir, prefix="chromium-profile-")
    netlog = os.path.join(outdir, name + ".netlog.json")
    shot = os.path.join(outdir, name + ".png") if screenshot else None
    args = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + profile, "--log-net-log=" + netlog,
        "--window-size=%d,%d" % SIZE, "--hide-scrollbars",
    ]
    args.append("--screenshot=" + shot if shot else "--dump-dom")
    args.append("file://" + os.path.abspath(page))
    run = subprocess.run(args, capture_output=True, text=True, timeout=180)
    if run.returncode != 0:
        sys.exit("chromium failed on %s (exit %d):\n%s" % (page, run.returncode, run.stderr[-3000:]))
    with open(netlog) as f:
        text = f.read()
    try:
        log = json.loads(text)
    except json.JSONDecodeError:
        # A log cut short at exit lacks its closing brackets.
        log = json.loads(text.rstrip().rstrip(",") + "]}")
    return log, shot


def page_requests(log, page):
    """The URLs requested for the page (not chromium's own background requests)."""
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    url = "file://" + os.path.abspath(page)
    found = []
    for e in log["events"]:
        if types.get(e["type"]) != "URL_REQUEST_START_JOB":
            continue
        p = e.get("params", {})
        for_page = "file://" in p.get("network_isolation_key", "") or p.get("initiator") not in (None, "not an origin")
        if for_page and p.get("url") != url:
            found.append(p.get("url"))
    return found


def near(colour):
    return lambda p: all(abs(a - b) <= 12 for a, b in zip(p, colour))


def check_screenshot(shot, failed, marked):
    if not shot or not os.path.exists(shot):
        sys.exit("no screenshot written: %s" % shot)
    with open(shot, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            sys.exit("%s is not a PNG" % shot)
    im = Image.open(shot).convert("RGB")
    if im.size != SIZE:
        sys.exit("%s is %dx%d, expected %dx%d" % ((shot,) + im.size + SIZE))
    raw = im.tobytes()
    pixels = list(zip(raw[0::3], raw[1::3], raw[2::3]))
    ink = sum(1 for p in pixels if p != (255, 255, 255))
    colours = len(set(pixels))
    red = sum(1 for p in pixels if near(FAIL_RED)(p))
    yellow = sum(1 for p in pixels if near(MARK_YELLOW)(p))
    print("  %s: %d non-white pixels (%.1f%%), %d colours, %d failure-red, %d mark-yellow" % (
        shot, ink, 100.0 * ink / len(pixels), colours, red, yellow))
    if ink < len(pixels) // 100 or colours < 16:
        sys.exit("%s looks blank" % shot)
    if failed and red < 200:
        sys.exit("%s shows no failure marks: were the inline styles applied?" % shot)
    if marked and yellow < 50:
        sys.exit("%s shows no marked characters: were the inline styles applied?" % shot)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    canary = os.path.join(outdir, "canary.html")
    with open(canary, "w") as f:
        f.write('<!DOCTYPE html><html><head><link rel="stylesheet" href="http://canary.invalid/c.css">'
                '</head><body><img src="http://canary.invalid/i.png"><p>canary</p></body></html>\n')
    log, _ = render(canary, outdir, "canary", False)
    seen = page_requests(log, canary)
    if len(seen) < 2:
        sys.exit("the net log check is blind: the canary page's requests were not seen (%s)" % seen)
    print("  the canary page's requests are seen: %s" % ", ".join(seen))
    for arg in sys.argv[2:]:
        page, _, marks = arg.partition(":")
        marks = marks.split(",")
        with open(page, encoding="utf-8") as f:
            html = f.read()
        print("%s: %d bytes" % (page, len(html.encode("utf-8"))))
        if html.count(CSP) != 1:
            sys.exit("%s does not carry the Content-Security-Policy once" % page)
        name = os.path.splitext(os.path.basename(page))[0]
        bare = os.path.join(outdir, name + ".nocsp.html")
        with open(bare, "w", encoding="utf-8") as f:
            f.write(html.replace(CSP, ""))
        log, _ = render(bare, outdir, name + ".nocsp", False)
        fetched = page_requests(log, bare)
        if fetched:
            sys.exit("%s fetches without its CSP: %s" % (page, fetched))
        log, shot = render(page, outdir, name, True)
        fetched = page_requests(log, page)
        if fetched:
            sys.exit("%s fetched: %s" % (page, fetched))
        print("  nothing fetched, with and without the CSP")
        check_screenshot(shot, "failed" in marks, "marked" in marks)
    print("HTML reports render and fetch nothing")


if __name__ == "__main__":
    main()
