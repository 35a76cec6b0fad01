"""A python-socketio client driven by the compat suite (relay/test/compat/).

Commands arrive as JSON lines on stdin; everything the client sees goes out as JSON lines on stdout, so the
TypeScript test drives this client exactly like the socket.io-client ones:

  {"op": "connect", "url", "auth", "transports", "reconnection"}  ->  {"kind": "connected"} | {"kind": "connect_error", "data"}
  {"op": "call", "id", "event", "args"}                            ->  {"kind": "ack", "id", "args"}
  {"op": "emit", "event", "args"}                                  ->  (nothing)
  {"op": "transport", "id"}                                        ->  {"kind": "transport", "id", "args": ["websocket"]}
  {"op": "close"}                                                  ->  the process exits

and unprompted: {"kind": "event", "name", "args"} for every event, {"kind": "disconnected"}.
Runs on Debian's python3-socketio (5.7.x) with python3-websocket and python3-requests.
"""
import json
import os
import sys
import threading

import socketio

_out_lock = threading.Lock()


def report(message):
    with _out_lock:
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


def open_client(command):
    sio = socketio.Client(
        reconnection=command.get("reconnection", False),
        reconnection_delay=0.1,
        reconnection_delay_max=0.5,
        randomization_factor=0,
    )
    # python-socketio 5.7 runs the connect handler on engine.io's thread *before* connect() sets `sio.connected`
    # (socketio/client.py: connect() waits for the namespace, then sets it). A transport loss in that window is
    # dropped: `_handle_eio_disconnect` sees connected False, reports no disconnect, and its reconnect attempts all
    # fail with "Already connected" — the client is stuck for good. So the first connection is reported once
    # connect() has returned, as an application using this library would see it; reconnections by the handler.
    first_connect_returned = threading.Event()
    sio.on("connect", lambda: report({"kind": "connected"}) if first_connect_returned.is_set() else None)
    sio.on("connect_error", lambda data=None: report({"kind": "connect_error", "data": data}))
    sio.on("disconnect", lambda: report({"kind": "disconnected"}))
    sio.on("*", lambda name, *args: report({"kind": "event", "name": name, "args": list(args)}))
    try:
        sio.connect(command["url"], auth=command.get("auth"), transports=command["transports"], wait_timeout=5)
        first_connect_returned.set()
        report({"kind": "connected"})
    except socketio.exceptions.ConnectionError as error:
        # The connect_error handler has reported the relay's answer; this only says the connect call ended.
        report({"kind": "connect_failed", "data": str(error)})
    return sio


def main():
    sio = None
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        try:
            if op == "connect":
                sio = open_client(command)
            elif op == "call":
                ack_id = command["id"]
                sio.emit(
                    command["event"],
                    tuple(command["args"]),
                    callback=lambda *args, ack_id=ack_id: report({"kind": "ack", "id": ack_id, "args": list(args)}),
                )
            elif op == "transport":
                report({"kind": "transport", "id": command["id"], "args": [sio.transport()]})
            elif op == "emit":
                sio.emit(command["event"], tuple(command["args"]))
            elif op == "close":
                break
        except Exception as error:  # reported, so that a test fails with the reason rather than a timeout
            report({"kind": "error", "data": repr(error)})
    if sio is not None:
        sio.disconnect()
    # A client whose handshake was refused keeps engine.io's threads alive: end the process here, not when they end.
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
