#!/usr/bin/env python3
"""Records tshark's view of the FTP control connections of the lab captures for
test/ftp/captures.test.ts (CI has no tshark). Run from the repo root after adding or
regenerating a capture:  python3 test/ftp/record.py

Per capture, per control connection (a TCP stream tshark dissects as FTP on port 21 or 2121):
- client / server: the reassembled bytes of each direction (tshark -z follow,tcp,raw), hex;
- commands: tshark's (command, argument) for each request frame that is not a retransmission,
  with Telnet IAC sequences removed from the command (tshark keeps them: the ABOR of
  fixtures/08-abort.pcap shows as "\\ufffd\\ufffd\\ufffd" then "\\ufffdABOR");
- replies: the reply codes, computed here from the server bytes by RFC 959 §4.2's rule (a
  second, independent implementation: tshark reports a code for every line that starts with
  three digits, including continuation lines and segments that split a line).
"""
import json, os, re, subprocess, sys

FIXTURES = [
    '01-passive', '02-active', '03-active-blocked', '04-passive-blocked', '05-pasv-nat-client',
    '05-pasv-nat-server', '06-client-nat-inside', '06-client-nat-outside', '07-ipv6', '08-abort',
    '08-client-killed', '08-missing-file', '08-server-killed', '10-logins', '12-port-2121',
    '13-lossy-client-side', '13-lossy-server-side',
]

def tshark(*args):
    return subprocess.run(['tshark', '-n', '-d', 'tcp.port==2121,ftp', *args], capture_output=True, check=True).stdout

def follow(path, stream):
    out = tshark('-r', path, '-q', '-z', f'follow,tcp,raw,{stream}').decode()
    client, server = bytearray(), bytearray()
    body = out.split('=' * 67)[1] if '=' * 67 in out else out
    for line in body.splitlines():
        if not line or line.startswith(('Follow:', 'Filter:', 'Node ')) or line.startswith('='):
            continue
        if line.startswith('\t'):
            server += bytes.fromhex(line.strip())
        else:
            client += bytes.fromhex(line.strip())
    return bytes(client), bytes(server)

def replies(server):
    codes, open_code = [], None
    for raw in server.split(b'\n'):
        line = raw[:-1] if raw.endswith(b'\r') else raw
        m = re.match(rb'^([1-6]\d\d)([ -]|$)', line)
        if open_code is not None:
            if line[:3] == open_code and (len(line) == 3 or line[3:4] == b' '):
                codes.append(int(open_code)); open_code = None
            continue
        if m is None:
            continue
        if m.group(2) == b'-':
            open_code = m.group(1)
        else:
            codes.append(int(m.group(1)))
    return codes

def main():
    os.chdir(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
    for name in FIXTURES:
        path = f'fixtures/{name}.pcap'
        if not os.path.exists(path):
            print(f'{path}: missing, skipped', file=sys.stderr); continue
        streams = sorted({int(s) for s in tshark('-r', path, '-Y', 'ftp && (tcp.port==21 || tcp.port==2121)', '-T', 'fields', '-e', 'tcp.stream').decode().split()})
        conns = []
        for st in streams:
            client, server = follow(path, st)
            if server[:3].isdigit() is False and client[:3].isdigit():
                client, server = server, client  # the first sender was the server (banner first)
            rows = tshark('-r', path, '-Y', f'tcp.stream=={st} && ftp.request==1 && !tcp.analysis.retransmission',
                          '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=\x1f', '-e', 'ftp.request.command', '-e', 'ftp.request.arg')
            commands = []
            for row in rows.decode('utf-8', 'replace').split('\n'):
                if not row:
                    continue
                cols = row.split('\t')
                verbs = cols[0].split('\x1f')
                args = (cols[1] if len(cols) > 1 else '').split('\x1f')
                for i, v in enumerate(verbs):
                    v = v.replace('\ufffd', '')
                    if v:
                        commands.append([v.upper(), args[i] if i < len(args) else ''])
            conns.append({'stream': st, 'client': client.hex(), 'server': server.hex(), 'commands': commands, 'replies': replies(server)})
        with open(f'test/ftp/data/{name}.json', 'w') as f:
            json.dump({'capture': path, 'connections': conns}, f, indent=1)
            f.write('\n')
        print(f'{path}: {len(conns)} control connections, {sum(len(c["commands"]) for c in conns)} commands, {sum(len(c["replies"]) for c in conns)} replies')

main()
