#!/usr/bin/env python3
"""Interop: the PyPI `sip2` client (SIP2-Client-for-Python, not written here) against `sip2check serve`.

Usage: tests/interop/sip2_client.py PATH/TO/sip2check
Logs in, asks for patron information, checks an item out and in again, with the client's own
checksums and sequence numbers on (it verifies every response's AZ). Prints `N passed, N failed`;
exits 1 on a failure, 2 when the `sip2` package is missing (pip install sip2).
"""

import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _serve  # noqa: E402

Sip2 = _serve.require("Sip2.sip2", "sip2").Sip2


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    proc, host, port = _serve.start(sys.argv[1])
    t = _serve.Tally()
    logdir = tempfile.mkdtemp(prefix="sip2-client-log-")
    try:
        c = Sip2()
        c.hostName = host
        c.hostPort = port
        c.tlsEnable = False
        c.socketTimeout = 10
        c.hostEncoding = "utf-8"
        c.institutionId = "BR1"
        c.scLocation = "BR1"
        c.patron = "999999"
        c.patronpwd = "6789"
        c.logfile_path = logdir
        c.loglevel = "WARNING"
        c.connect()

        r = c.sip_login_response(c.get_response(c.sip_login_request("sip_01", "sip_01")))
        t.check("login answers ok=1", r["fixed"]["Ok"] == "1", r)

        r = c.sip_patron_information_response(c.get_response(c.sip_patron_information_request("none")))
        v = r["variable"]
        t.check("patron information names the patron", v.get("AE") == ["David J. Fiander"], v)
        t.check("patron information: valid patron (BL Y)", v.get("BL") == ["Y"], v)
        t.check("patron information: password accepted (CQ Y)", v.get("CQ") == ["Y"], v)

        r = c.sip_checkout_response(c.get_response(c.sip_checkout_request("1565921879")))
        t.check("checkout ok", r["fixed"]["Ok"] == "1", r)
        t.check("checkout title", r["variable"].get("AJ") == ["Perl 5 desktop reference"], r)
        t.check("checkout due date", len(r["variable"].get("AH", [""])[0]) == 18, r)

        r = c.sip_checkin_response(c.get_response(c.sip_checkin_request("1565921879")))
        t.check("checkin ok", r["fixed"]["Ok"] == "1", r)
        t.check("checkin names the patron who had it", r["variable"].get("AA") == ["999999"], r)

        r = c.sip_checkin_response(c.get_response(c.sip_checkin_request("1565921879")))
        t.check("second checkin: not checked out (ok 0)", r["fixed"]["Ok"] == "0", r)
        c.disconnect()
    except Exception as e:  # any client error is a failed interop check
        t.check("client ran without errors", False, repr(e))
    finally:
        _serve.stop(proc)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
