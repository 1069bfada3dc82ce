"""A second person on the same host: attaches to a live warroom session's socket as
an approver and approves production as the stakeholder given, once it is asked.
Run as another login (the test starts it as `nobody`): the session must learn that
login from the kernel. Prints every message it gets, one JSON object a line."""
import json, socket, sys

path, name, role = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.sendall(b'{"type":"hello","as":"approver"}\n')
buffer, answered = b'', False
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    buffer += chunk
    while b'\n' in buffer:
        line, buffer = buffer.split(b'\n', 1)
        message = json.loads(line)
        kind = message['type']
        print(json.dumps({k: v for k, v in message.items() if k != 'context'}), flush=True)
        waiting = kind == 'state' and message['value'] == {'production': {'approval': 'waiting'}}
        if waiting and not answered:
            answered = True
            approval = {'for': 'production', 'name': name, 'role': role, 'user': 'anything the client claims', 'decision': 'approve', 'at': '', 'source': 'attach'}
            s.sendall((json.dumps({'type': 'answer', 'version': message['version'], 'event': {'type': 'APPROVAL', 'approval': approval}}) + '\n').encode())
