#!/usr/bin/env python3
"""The adversarial campaign's attacks on a NetRpc server, each measured: run it from a checkout's root.

    python3 bench/attacks.py ATTACK [ATTACK ...]     (or: all)

To compare two versions with the same command, copy bench/Attacks/ and this script into the other checkout and run
it there. It builds bench/Attacks (the server under attack, in Release) and src/Rpcbind.Tool, starts them on loopback,
attacks, and prints one line of figures per attack. Memory is the server's resident set (VmRSS from /proc).

Attacks:
  unread       4 TCP connections send 17 KiB of GROW(256 KiB) calls each and never read the replies
  rpcbind      netrpc-rpcbind with 4,000 registrations; 5 connections send 16 KiB of DUMP calls each, never reading
  replay       uid 1000 replays uid 0's XID and arguments: over TCP on a new connection, over UDP from uid 0's freed port
  null-flood   20,000 NULL datagrams from another port, then the retransmission of a running and of a finished call
  journal      200 calls, SIGKILL, the journal damaged (16 random bytes at 40 %, cut at 60 %, emptied), restart, resend all
  trickle      MaxConnections 1,000: 1,000 trickling connections from 127.0.0.1, then a client from 127.0.0.2
  udp-flood    100,000 datagrams of 8 KiB to a handler that does not return
"""
import os
import random
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
PROG = 0x20000101


def build():
    for project in ("bench/Attacks", "src/Rpcbind.Tool"):
        subprocess.run(["dotnet", "build", "-c", "Release", "-v", "q", "-nologo", project], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)


def binary(name, project):
    return os.path.join(ROOT, project, "bin", "Release", "net10.0", name + ".dll")


class Server:
    def __init__(self, *args, rpcbind=False):
        command = ["dotnet", binary("netrpc-rpcbind", "src/Rpcbind.Tool"), "-p", str(free_port()), "-h", "127.0.0.1"] if rpcbind \
            else ["dotnet", binary("attack-target", "bench/Attacks"), *args]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        line = self.process.stdout.readline().strip()
        self.line = line
        if not line.startswith("READY"):
            self.process.wait()
            self.tcp = self.udp = None
            return
        fields = dict(f.split("=") for f in line.split()[1:])
        self.tcp, self.udp = int(fields["tcp"]), int(fields["udp"])

    def rss(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
        return 0.0

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def privileged_port():
    for port in range(1023, 600, -1):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free privileged port (run as root)")


def call(xid, proc, args=b"", prog=PROG, vers=1, cred=(0, b"")):
    flavor, body = cred
    body += b"\0" * (-len(body) % 4)
    return struct.pack(">IIIIII", xid, 0, 2, prog, vers, proc) + struct.pack(">II", flavor, len(body)) + body + struct.pack(">II", 0, 0) + args


def auth_sys(uid, machine=b"client"):
    body = struct.pack(">II", 1, len(machine)) + machine + b"\0" * (-len(machine) % 4) + struct.pack(">III", uid, 0, 0)
    return (1, body)


def record(message):
    return struct.pack(">I", 0x80000000 | len(message)) + message


def read_record(sock):
    data = b""
    while True:
        head = recv_exactly(sock, 4)
        if head is None:
            return None
        mark = struct.unpack(">I", head)[0]
        fragment = recv_exactly(sock, mark & 0x7FFFFFFF)
        if fragment is None:
            return None
        data += fragment
        if mark & 0x80000000:
            return data


def recv_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def udp_exchange(sock, port, message, timeout=10):
    sock.settimeout(timeout)
    sock.sendto(message, ("127.0.0.1", port))
    return sock.recvfrom(65536)[0]


def whoami_of(reply):
    length = struct.unpack(">I", reply[24:28])[0]
    return reply[28:28 + length].decode()


def settle(server, seconds=3.0, limit=90.0):
    """The RSS once it stops growing (less than 1 MiB in `seconds`), or after `limit` seconds; the peak seen."""
    peak, last, since, start = 0.0, server.rss(), time.time(), time.time()
    while time.time() - start < limit:
        time.sleep(0.5)
        now = server.rss()
        peak = max(peak, now)
        if abs(now - last) >= 1.0:
            last, since = now, time.time()
        elif time.time() - since >= seconds:
            break
    return peak


def warm(server):
    with socket.create_connection(("127.0.0.1", server.tcp)) as s:
        for xid in range(200):
            s.sendall(record(call(xid, 9, struct.pack(">I", 262144))))
            read_record(s)


def unread():
    server = Server()
    try:
        warm(server)
        before = settle(server)
        attackers = []
        for c in range(4):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", server.tcp))
            s.setblocking(False)
            calls = b"".join(record(call(c * 1000 + i, 9, struct.pack(">I", 262144))) for i in range(17 * 1024 // 48))
            try:
                s.send(calls)
            except BlockingIOError:
                pass
            attackers.append(s)
        during = settle(server)
        for s in attackers:
            s.close()
        time.sleep(5)
        after = settle(server)
        print(f"unread: server RSS {before:.0f} MiB before, {during:.0f} MiB while 4 connections do not read (+{during - before:.0f}), {after:.0f} MiB 5 s after they left")
    finally:
        server.stop()


def rpcbind():
    server = Server(rpcbind=True)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", privileged_port()))  # owner "superuser", as a root server registers: no per-owner quota
            for i in range(4000):
                udp_exchange(u, server.udp, call(i, 1, struct.pack(">IIII", 0x20100000 + i, 1, 6, 5000), prog=100000, vers=2))
        before = settle(server)
        attackers = []
        for c in range(5):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", server.tcp))
            s.setblocking(False)
            try:
                s.send(b"".join(record(call(c * 1000 + i, 4, prog=100000, vers=2)) for i in range(16 * 1024 // 44)))
            except BlockingIOError:
                pass
            attackers.append(s)
        during = settle(server)
        for s in attackers:
            s.close()
        print(f"rpcbind: netrpc-rpcbind RSS {before:.0f} MiB with 4,000 registrations, {during:.0f} MiB while 5 connections do not read DUMP replies (+{during - before:.0f})")
    finally:
        server.stop()


def replay():
    server = Server("--tcp-drc")
    try:
        results = []
        for uid in (0, 1000):
            with socket.create_connection(("127.0.0.1", server.tcp)) as s:
                s.sendall(record(call(0x5151, 6, cred=auth_sys(uid))))
                results.append(whoami_of(read_record(s)))
        print(f"replay tcp: uid 0 got '{results[0]}'; uid 1000, same XID on a new connection, got '{results[1]}'")
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        port = u.getsockname()[1]
        first = whoami_of(udp_exchange(u, server.udp, call(0x6161, 6, cred=auth_sys(0))))
        u.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", port))
        second = whoami_of(udp_exchange(u, server.udp, call(0x6161, 6, cred=auth_sys(1000))))
        u.close()
        print(f"replay udp: uid 0 got '{first}'; uid 1000 from the same port, same XID, got '{second}'")
    finally:
        server.stop()


def null_flood():
    server = Server()
    try:
        a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        a.bind(("127.0.0.1", 0))
        hold = call(0x7171, 10, struct.pack(">I", 0))
        a.sendto(hold, ("127.0.0.1", server.udp))
        count = call(0x7272, 5)
        first = struct.unpack(">I", udp_exchange(a, server.udp, count)[24:28])[0]
        flood(server, lambda i: call(i, 0), 20000)
        a.sendto(hold, ("127.0.0.1", server.udp))
        again = struct.unpack(">I", udp_exchange(a, server.udp, count)[24:28])[0]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as c:
            held = struct.unpack(">I", udp_exchange(c, server.udp, call(1, 12))[24:28])[0]
            udp_exchange(c, server.udp, call(2, 11))
        print(f"null-flood: after 20,000 NULL datagrams, the running call's retransmission made it run {held} time(s) in all; "
              f"the finished call's retransmission was answered {'from the cache' if again == first else 'by running it again'} (counter {first} -> {again})")
    finally:
        server.stop()


def flood(server, message, count, paced=True):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as f:
        f.setblocking(False)
        for i in range(count):
            f.sendto(message(i), ("127.0.0.1", server.udp))
            if paced and i % 256 == 255:
                time.sleep(0.002)
                try:
                    while f.recv(65536):
                        pass
                except BlockingIOError:
                    pass


def journal():
    for damage in ("16 random bytes at 40 %", "cut at 60 %", "emptied"):
        directory = tempfile.mkdtemp(prefix="netrpc-attack-")
        path = os.path.join(directory, "udp.drc")
        server = Server("--journal", path)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("127.0.0.1", 0))
        for xid in range(1, 201):
            udp_exchange(u, server.udp, call(xid, 5))
        server.kill()
        data = bytearray(open(path, "rb").read())
        end = len(data.rstrip(b"\0")) if damage != "emptied" else 0
        rng = random.Random(5531)
        if damage.startswith("16"):
            at = int(end * 0.4)
            data[at:at + 16] = bytes(rng.getrandbits(8) for _ in range(16))
        elif damage.startswith("cut"):
            data = data[:int(end * 0.6)]
        else:
            data = bytearray()
        open(path, "wb").write(data)
        server = Server("--journal", path, "--counter-base", "100000")
        if server.udp is None:
            print(f"journal ({damage}): the restarted server refused to start: {server.line[:160]}")
            continue
        ran_again = system_err = cached = 0
        for xid in range(1, 201):
            reply = udp_exchange(u, server.udp, call(xid, 5))
            status = struct.unpack(">I", reply[20:24])[0]
            if status == 5:
                system_err += 1
            elif struct.unpack(">I", reply[24:28])[0] == xid:
                cached += 1
            else:
                ran_again += 1
        server.stop()
        print(f"journal ({damage}): of 200 calls resent, {ran_again} ran again, {cached} answered from the journal, {system_err} SYSTEM_ERR")


def trickle():
    server = Server("--max-connections", "1000")
    try:
        attackers = []
        for _ in range(1000):
            s = socket.create_connection(("127.0.0.1", server.tcp))
            s.send(b"\x80")
            attackers.append(s)
        time.sleep(2)
        open_ones = 0
        for s in attackers:
            r, _, _ = select.select([s], [], [], 0)
            if not r:
                open_ones += 1
            else:
                try:
                    if s.recv(1, socket.MSG_PEEK):
                        open_ones += 1
                except OSError:
                    pass
        served = "not served"
        try:
            c = socket.socket()
            c.bind(("127.0.0.2", 0))
            c.settimeout(5)
            c.connect(("127.0.0.1", server.tcp))
            c.sendall(record(call(77, 0)))
            if read_record(c) is not None:
                served = "served"
            c.close()
        except OSError as e:
            served = f"not served ({e})"
        for s in attackers:
            s.close()
        print(f"trickle: 1,000 trickling connections from 127.0.0.1, {open_ones} kept open by the server; a client from 127.0.0.2: {served}")
    finally:
        server.stop()


def udp_flood():
    server = Server()
    try:
        before = settle(server)
        payload = struct.pack(">I", 8000) + b"\0" * 8000
        flood(server, lambda i: call(i + 1, 10, payload), 100000)
        during = settle(server)
        print(f"udp-flood: server RSS {before:.0f} MiB before, {during:.0f} MiB after 100,000 datagrams of 8 KiB to a handler that does not return (+{during - before:.0f})")
    finally:
        server.stop()


ATTACKS = {"unread": unread, "rpcbind": rpcbind, "replay": replay, "null-flood": null_flood, "journal": journal,
           "trickle": trickle, "udp-flood": udp_flood}

if __name__ == "__main__":
    names = sys.argv[1:]
    if not names or any(n not in ATTACKS and n != "all" for n in names):
        print(__doc__)
        sys.exit(0 if names in ([], ["--help"]) else 2)
    build()
    for name in (ATTACKS if names == ["all"] else names):
        ATTACKS[name]()
