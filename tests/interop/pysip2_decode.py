#!/usr/bin/env python3
"""Interop: pysip2's decoder (PyPI `pysip2`, not written here) accepts every emulator response.

Usage: tests/interop/pysip2_decode.py PATH/TO/sip2check
Sends one request of each of the 16 request types, in normal and refused cases, to
`sip2check serve`, and decodes every response with pysip2.decode_message (which checks
the fixed-part layout, required fields, repeats and the checksum). Prints `N passed, N failed`;
exits 1 on a failure, 2 when the `pysip2` package is missing (pip install pysip2).
"""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _serve  # noqa: E402

pysip2 = _serve.require("pysip2", "pysip2")

CO = "11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|"
CI = "09N20060102    08423620060113    084235AP|AOBR1|AB1565921879|AC|"
HOLD = "15+20060415    110158BW20060815    110158|BSBR1|BY2|AOBR1|AA999999|AB0440242746|"

# (name, request, expected response class name); in order, one connection.
CASES = [
    ("login refused", "9300CNnobody|COwrong|CPBR1|", "LoginResponse"),
    ("login", "9300CNsip_01|COsip_01|CPBR1|", "LoginResponse"),
    ("sc status", "9910302.00", "ACSStatusResponse"),
    ("patron status", "2300120060101    084237AOBR1|AA999999|AC|AD6789|", "PatronStatusResponse"),
    ("patron status unknown", "2300120060101    084237AOBR1|AAwshakespeare|AC|AD|", "PatronStatusResponse"),
    ("patron information", "6300020060329    201700          AOBR1|AA999999|", "PatronInformationResponse"),
    ("patron information unknown", "6300020060329    201700          AOBR1|AAbad_barcode|", "PatronInformationResponse"),
    ("patron information fines list", "6300020060329    201700   Y      AOBR1|AAFINES1|", "PatronInformationResponse"),
    ("checkout", CO, "CheckoutResponse"),
    ("checkout refused (on loan)", CO.replace("AA999999", "AAmiker"), "CheckoutResponse"),
    ("checkout refused (unknown item)", CO.replace("1565921879", "no-barcode"), "CheckoutResponse"),
    ("checkout fee item refused", CO.replace("1565921879", "FEEITEM1"), "CheckoutResponse"),
    ("patron information charged list", "6300020060329    201700  Y       AOBR1|AA999999|", "PatronInformationResponse"),
    ("renew", "29NN20060102    084236                  AOBR1|AA999999|AB1565921879|", "RenewResponse"),
    ("renew all", "6520060102    084236AOBR1|AA999999|", "RenewAllResponse"),
    ("renew all refused", "6520060102    084236AOBR1|AAberick|", "RenewAllResponse"),
    ("checkin", CI, "CheckinResponse"),
    ("checkin not on loan", CI, "CheckinResponse"),
    ("checkin unknown item", CI.replace("1565921879", "nosuchitem"), "CheckinResponse"),
    ("renew refused", "29NN20060102    084236                  AOBR1|AA999999|AB1565921879|", "RenewResponse"),
    ("hold place", HOLD, "HoldResponse"),
    ("hold change", HOLD.replace("15+", "15*"), "HoldResponse"),
    ("hold cancel", HOLD.replace("15+", "15-"), "HoldResponse"),
    ("hold cancel refused", HOLD.replace("15+", "15-"), "HoldResponse"),
    ("item information", "1720060110    215612AOBR1|AB1565921879|", "ItemInformationResponse"),
    ("item information unknown", "1720060110    215612AOBR1|ABnosuchitem|", "ItemInformationResponse"),
    ("item status update", "1920060110    215612AOBR1|AB1565921879|CHshelf|", "ItemStatusUpdateResponse"),
    ("item status update refused", "1920060110    215612AOBR1|ABnosuchitem|CHx|", "ItemStatusUpdateResponse"),
    ("block patron", "01N20060102    084238AOBR1|ALtest|AA999999|AC|", "PatronStatusResponse"),
    ("patron enable refused", "2520060102    084238AOBR1|AA999999|ADwrong|", "PatronEnableResponse"),
    ("patron enable", "2520060102    084238AOBR1|AA999999|AD6789|", "PatronEnableResponse"),
    ("fee paid", "3720060102    0842380400USDBV1.00|AOBR1|AAFINES1|CGFEE-0001|", "FeePaidResponse"),
    ("fee paid refused", "3720060102    0842380400USDBV99.00|AOBR1|AAFINES1|", "FeePaidResponse"),
    ("end patron session", "3520060102    084238AOBR1|AA999999|", "EndSessionResponse"),
    ("end patron session unknown", "3520060102    084238AOBR1|AAnobody|", "EndSessionResponse"),
    ("request ACS resend", "97", "EndSessionResponse"),
    ("bad checksum gets 96", "9910302.00AY1AZ0000", "RequestSCResend"),
]


def with_trailer(body, seq):
    b = f"{body}AY{seq}AZ".encode()
    return b + pysip2.calculate_checksum(b).encode()


def read_frame(sock):
    data = b""
    while not data.endswith(b"\r"):
        chunk = sock.recv(4096)
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return data


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    proc, host, port = _serve.start(sys.argv[1])
    t = _serve.Tally()
    kinds = set()
    try:
        for checksums in (False, True):
            sock = socket.create_connection((host, port), timeout=10)
            for seq, (name, request, expected) in enumerate(CASES):
                label = f"{name}{' (AY/AZ)' if checksums else ''}"
                if checksums and "AZ" not in request and request != "97":
                    wire = with_trailer(request, seq % 10)
                else:
                    wire = request.encode()
                sock.sendall(wire + b"\r")
                frame = read_frame(sock)
                try:
                    decoded = pysip2.decode_message(frame, encoding="utf-8")
                except Exception as e:  # the decoder refused the response
                    t.check(label, False, f"{frame!r}: {e!r}")
                    continue
                got = type(decoded.message).__name__
                t.check(label, got == expected, f"decoded as {got}, expected {expected}: {frame!r}")
                # 96 carries no AY; 97 replays the previous response with its own AY.
                if checksums and expected != "RequestSCResend" and request != "97":
                    t.check(f"{label}: AY echoed", decoded.sequence_number == seq % 10, frame)
                kinds.add(request[:2])
            sock.close()
        t.check("all 16 request types sent", len(kinds) == 16, sorted(kinds))
    finally:
        _serve.stop(proc)
    return t.finish()


if __name__ == "__main__":
    sys.exit(main())
