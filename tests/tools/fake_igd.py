#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later WITH LicenseRef-OpenSSL-exception
"""A minimal UPnP Internet Gateway Device for the integration tests.

It answers SSDP M-SEARCH requests on 239.255.255.250:1900 (joined on
--addr's interface) with the location of its root device description, serves
that description over HTTP (an InternetGatewayDevice with a
WANCommonInterfaceConfig and a WANIPConnection service) and answers the SOAP
actions a UPnP client such as libminiupnpc sends: GetStatusInfo,
GetExternalIPAddress, GetCommonLinkProperties, AddPortMapping,
DeletePortMapping, GetSpecificPortMappingEntry, GetGenericPortMappingEntry;
any other action gets an empty success answer. Every request is logged as one
line (flushed at once), so a test can grep what was asked:

  READY http://198.18.1.99:49152/rootDesc.xml
  M-SEARCH from 198.18.1.1:41234 st=urn:schemas-upnp-org:device:InternetGatewayDevice:1
  GET /rootDesc.xml from 198.18.1.1
  SOAP GetStatusInfo from 198.18.1.1
  AddPortMapping proto=TCP ext=655 int=655 client=198.18.1.1 lease=4 desc=plexusd from 198.18.1.1

Usage: fake_igd.py --addr ADDR [--http-port N] --log FILE [--lifetime S]

Only for tests: it binds --addr only and stops after --lifetime seconds.
"""
import argparse
import re
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SSDP_GROUP = "239.255.255.250"
SSDP_PORT = 1900
IGD = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
WAN_DEVICE = "urn:schemas-upnp-org:device:WANDevice:1"
WAN_CONN_DEVICE = "urn:schemas-upnp-org:device:WANConnectionDevice:1"
CIF = "urn:schemas-upnp-org:service:WANCommonInterfaceConfig:1"
IPCONN = "urn:schemas-upnp-org:service:WANIPConnection:1"
UUID = "uuid:8a7c1f02-5e1b-4c2e-9d3a-000000000001"
# The address the gateway says it has outside: the test range, never routed.
EXTERNAL_IP = "198.19.255.1"

log_lock = threading.Lock()
log_file = None
mappings = {}  # (proto, ext port) -> dict of the AddPortMapping arguments


def log(line):
    with log_lock:
        log_file.write("%.3f %s\n" % (time.time(), line))
        log_file.flush()


def description(base):
    def service(stype, sid, ctl):
        return (
            "<service><serviceType>%s</serviceType><serviceId>%s</serviceId>"
            "<controlURL>%s</controlURL><eventSubURL>/evt%s</eventSubURL>"
            "<SCPDURL>/scpd%s.xml</SCPDURL></service>" % (stype, sid, ctl, ctl, ctl)
        )

    return (
        '<?xml version="1.0"?>\n'
        '<root xmlns="urn:schemas-upnp-org:device-1-0">'
        "<specVersion><major>1</major><minor>0</minor></specVersion>"
        "<URLBase>%s</URLBase>"
        "<device><deviceType>%s</deviceType><friendlyName>plexus test gateway</friendlyName>"
        "<manufacturer>plexus tests</manufacturer><modelName>fake_igd</modelName>"
        "<UDN>%s</UDN><deviceList>"
        "<device><deviceType>%s</deviceType><friendlyName>WAN device</friendlyName>"
        "<UDN>%s-wan</UDN><serviceList>%s</serviceList><deviceList>"
        "<device><deviceType>%s</deviceType><friendlyName>WAN connection</friendlyName>"
        "<UDN>%s-conn</UDN><serviceList>%s</serviceList></device>"
        "</deviceList></device></deviceList></device></root>\n"
        % (
            base,
            IGD,
            UUID,
            WAN_DEVICE,
            UUID,
            service(CIF, "urn:upnp-org:serviceId:WANCommonIFC1", "/ctl/CmnIfCfg"),
            WAN_CONN_DEVICE,
            UUID,
            service(IPCONN, "urn:upnp-org:serviceId:WANIPConn1", "/ctl/IPConn"),
        )
    )


def soap_ok(action, stype, args):
    body = "".join("<%s>%s</%s>" % (k, v, k) for k, v in args)
    return (
        '<?xml version="1.0"?>\n'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>'
        '<u:%sResponse xmlns:u="%s">%s</u:%sResponse></s:Body></s:Envelope>\n'
        % (action, stype, body, action)
    )


def soap_fault(code, text):
    return (
        '<?xml version="1.0"?>\n'
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" '
        's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body><s:Fault>'
        "<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>"
        '<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>%d</errorCode>'
        "<errorDescription>%s</errorDescription></UPnPError></detail></s:Fault>"
        "</s:Body></s:Envelope>\n" % (code, text)
    )


def mapping_args(m):
    return [
        ("NewRemoteHost", ""),
        ("NewExternalPort", m["NewExternalPort"]),
        ("NewProtocol", m["NewProtocol"]),
        ("NewInternalPort", m.get("NewInternalPort", "")),
        ("NewInternalClient", m.get("NewInternalClient", "")),
        ("NewEnabled", m.get("NewEnabled", "1")),
        ("NewPortMappingDescription", m.get("NewPortMappingDescription", "")),
        ("NewLeaseDuration", m.get("NewLeaseDuration", "0")),
    ]


def soap_action(action, stype, args, peer):
    """Returns (HTTP status, body)."""
    if action == "GetStatusInfo":
        return 200, soap_ok(
            action,
            stype,
            [("NewConnectionStatus", "Connected"), ("NewLastConnectionError", "ERROR_NONE"), ("NewUptime", "100")],
        )
    if action == "GetExternalIPAddress":
        return 200, soap_ok(action, stype, [("NewExternalIPAddress", EXTERNAL_IP)])
    if action == "GetCommonLinkProperties":
        return 200, soap_ok(
            action,
            stype,
            [
                ("NewWANAccessType", "Ethernet"),
                ("NewLayer1UpstreamMaxBitRate", "1000000"),
                ("NewLayer1DownstreamMaxBitRate", "1000000"),
                ("NewPhysicalLinkStatus", "Up"),
            ],
        )
    if action == "AddPortMapping":
        key = (args.get("NewProtocol", ""), args.get("NewExternalPort", ""))
        if key[0] not in ("TCP", "UDP") or not key[1].isdigit():
            log("AddPortMapping REFUSED %r from %s" % (args, peer))
            return 500, soap_fault(402, "Invalid Args")
        mappings[key] = dict(args)
        log(
            "AddPortMapping proto=%s ext=%s int=%s client=%s lease=%s desc=%s from %s"
            % (
                key[0],
                key[1],
                args.get("NewInternalPort", ""),
                args.get("NewInternalClient", ""),
                args.get("NewLeaseDuration", ""),
                args.get("NewPortMappingDescription", ""),
                peer,
            )
        )
        return 200, soap_ok(action, stype, [])
    if action == "DeletePortMapping":
        key = (args.get("NewProtocol", ""), args.get("NewExternalPort", ""))
        log("DeletePortMapping proto=%s ext=%s from %s" % (key[0], key[1], peer))
        if mappings.pop(key, None) is None:
            return 500, soap_fault(714, "NoSuchEntryInArray")
        return 200, soap_ok(action, stype, [])
    if action == "GetSpecificPortMappingEntry":
        m = mappings.get((args.get("NewProtocol", ""), args.get("NewExternalPort", "")))
        if m is None:
            return 500, soap_fault(714, "NoSuchEntryInArray")
        return 200, soap_ok(action, stype, mapping_args(m)[3:])
    if action == "GetGenericPortMappingEntry":
        idx = args.get("NewPortMappingIndex", "")
        entries = list(mappings.values())
        if not idx.isdigit() or int(idx) >= len(entries):
            return 500, soap_fault(713, "SpecifiedArrayIndexInvalid")
        return 200, soap_ok(action, stype, mapping_args(entries[int(idx)]))
    return 200, soap_ok(action, stype, [])


class Handler(BaseHTTPRequestHandler):
    server_version = "fake_igd/1.0 UPnP/1.0"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, ctype):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        log("GET %s from %s" % (self.path, self.client_address[0]))
        if self.path == "/rootDesc.xml":
            self.reply(200, description(self.server.base), 'text/xml; charset="utf-8"')
        else:
            self.reply(404, "not found\n", "text/plain")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(length, 65536)).decode("utf-8", "replace")
        soapaction = (self.headers.get("SOAPAction") or "").strip('"')
        stype, _, action = soapaction.partition("#")
        args = dict(re.findall(r"<(New\w+)>([^<]*)</\1>", body))
        log("SOAP %s from %s" % (action, self.client_address[0]))
        status, out = soap_action(action, stype, args, self.client_address[0])
        self.reply(status, out, 'text/xml; charset="utf-8"')


def ssdp_loop(sock, location):
    while True:
        try:
            data, peer = sock.recvfrom(2048)
        except OSError:
            return
        text = data.decode("utf-8", "replace")
        if not text.startswith("M-SEARCH"):
            continue
        st = ""
        for line in text.split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "st":
                st = value.strip()
        log("M-SEARCH from %s:%d st=%s" % (peer[0], peer[1], st))
        if st in ("ssdp:all", "upnp:rootdevice"):
            st_reply = st if st == "upnp:rootdevice" else IGD
        elif st in (IGD, WAN_DEVICE, WAN_CONN_DEVICE, CIF, IPCONN) or st.startswith(
            "urn:schemas-upnp-org:device:InternetGatewayDevice:"
        ):
            st_reply = st
        else:
            continue
        answer = (
            "HTTP/1.1 200 OK\r\n"
            "CACHE-CONTROL: max-age=120\r\n"
            "EXT:\r\n"
            "LOCATION: %s\r\n"
            "SERVER: Linux UPnP/1.0 fake_igd/1.0\r\n"
            "ST: %s\r\n"
            "USN: %s::%s\r\n"
            "\r\n" % (location, st_reply, UUID, st_reply)
        )
        sock.sendto(answer.encode(), peer)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--addr", required=True)
    ap.add_argument("--http-port", type=int, default=49152)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=120)
    opts = ap.parse_args()
    global log_file
    log_file = open(opts.log, "a")

    httpd = ThreadingHTTPServer((opts.addr, opts.http_port), Handler)
    httpd.base = "http://%s:%d/" % (opts.addr, opts.http_port)
    location = httpd.base + "rootDesc.xml"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", SSDP_PORT))
    mreq = struct.pack("4s4s", socket.inet_aton(SSDP_GROUP), socket.inet_aton(opts.addr))
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    threading.Thread(target=ssdp_loop, args=(sock, location), daemon=True).start()

    log("READY %s" % location)
    time.sleep(opts.lifetime)
    log("LIFETIME over")
    return 0


if __name__ == "__main__":
    sys.exit(main())
