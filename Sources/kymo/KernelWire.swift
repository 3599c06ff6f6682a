// KernelWire: the Jupyter wire protocol (v5.3) over ZeroMQ. A message is
// routing identities, the `<IDS|MSG>` delimiter, the HMAC-SHA256 signature
// (hex) over header, parent header, metadata and content, those four JSON
// frames, then binary buffers. Every incoming message's signature is checked;
// a message that is malformed or badly signed is dropped (nil), never trusted
// and never a crash. `KernelSocket` wraps one libzmq socket; a socket is used
// by one thread at a time (iopub, shared, goes through a lock).
// Deliberately not: the stdin channel's input_request (Kymo reads no input).

import CZMQ
import Crypto
import Foundation

/// A JSON object as JSONSerialization reads and writes it.
typealias JSONObject = [String: Any]

/// One received message, checked and decoded.
struct KernelMessage {
    var identities: [Data]
    /// The header frame exactly as received: it is the parent header of every reply.
    var headerFrame: Data
    var header: JSONObject
    var metadata: JSONObject
    var content: JSONObject
    var type: String { header["msg_type"] as? String ?? "" }
    var id: String { header["msg_id"] as? String ?? "" }
}

/// Signs and checks messages with the connection file's key; builds outgoing frames.
struct KernelSigner: Sendable {
    static let delimiter = Data("<IDS|MSG>".utf8)
    let key: Data
    /// This kernel's session id (the `session` of every header it writes).
    let session: String

    func signature(_ parts: [Data]) -> String {
        guard !key.isEmpty else { return "" }
        var mac = HMAC<SHA256>(key: SymmetricKey(data: key))
        for p in parts { mac.update(data: p) }
        return Data(mac.finalize()).map { String(format: "%02x", $0) }.joined()
    }

    /// Constant-time check of a hex signature over the four JSON frames.
    func verify(_ signature: Data, _ parts: [Data]) -> Bool {
        guard !key.isEmpty else { return true }
        guard let given = KernelSigner.hexBytes(signature) else { return false }
        var joined = Data()
        for p in parts { joined.append(p) }
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: joined, using: SymmetricKey(data: key))
    }

    static func hexBytes(_ text: Data) -> Data? {
        guard text.count == 64 else { return nil }
        var out = Data(capacity: 32)
        var high: UInt8?
        for c in text {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    /// Decodes frames into a message; nil (with the reason) when malformed or badly signed.
    func decode(_ frames: [Data]) -> (KernelMessage?, String?) {
        guard let d = frames.firstIndex(of: KernelSigner.delimiter) else { return (nil, "no <IDS|MSG> delimiter") }
        guard frames.count >= d + 6 else { return (nil, "fewer than 5 frames after the delimiter") }
        let parts = Array(frames[(d + 2)..<(d + 6)])
        guard verify(frames[d + 1], parts) else { return (nil, "bad signature") }
        func object(_ data: Data) -> JSONObject? {
            (try? JSONSerialization.jsonObject(with: data, options: [])) as? JSONObject
        }
        guard let header = object(parts[0]), header["msg_type"] is String, let _ = object(parts[1]),
              let metadata = object(parts[2]), let content = object(parts[3]) else {
            return (nil, "a header, parent header, metadata or content frame is not a JSON object (or has no msg_type)")
        }
        return (KernelMessage(identities: Array(frames[..<d]), headerFrame: parts[0], header: header,
                              metadata: metadata, content: content), nil)
    }

    /// The frames of a new message of `type` replying to (or caused by) `parent`.
    func encode(_ type: String, content: JSONObject, parent: KernelMessage?, identities: [Data]? = nil,
                metadata: JSONObject = [:]) -> [Data] {
        let header: JSONObject = [
            "msg_id": UUID().uuidString.lowercased(), "session": session, "username": "kymo",
            "date": KernelSigner.timestamp(), "msg_type": type, "version": "5.3",
        ]
        let parts = [KernelSigner.json(header), parent?.headerFrame ?? Data("{}".utf8),
                     KernelSigner.json(metadata), KernelSigner.json(content)]
        let ids = identities ?? parent?.identities ?? []
        return ids + [KernelSigner.delimiter, Data(signature(parts).utf8)] + parts
    }

    /// JSON of an object built by the kernel (strings, numbers, bools, arrays, objects only).
    static func json(_ object: JSONObject) -> Data {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return Data("{}".utf8)
        }
        return data
    }

    static func timestamp() -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: Date())
    }
}

/// One libzmq socket. Not thread-safe by itself (see `LockedSocket`).
final class KernelSocket: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    /// Binds a socket of `type` (ZMQ_ROUTER, ZMQ_PUB, ZMQ_REP) to `endpoint`.
    init(context: UnsafeMutableRawPointer, type: Int32, endpoint: String) throws {
        guard let s = zmq_socket(context, type) else { throw KernelError.zmq("zmq_socket", endpoint) }
        var linger: Int32 = 1000
        zmq_setsockopt(s, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_bind(s, endpoint) == 0 else {
            zmq_close(s)
            throw KernelError.zmq("bind", endpoint)
        }
        handle = s
    }

    /// True when a message is waiting (after up to `milliseconds`).
    func poll(milliseconds: Int) -> Bool {
        var item = zmq_pollitem_t(socket: handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        return zmq_poll(&item, 1, milliseconds) > 0 && item.revents & Int16(ZMQ_POLLIN) != 0
    }

    /// All frames of the next message (blocking); nil when interrupted or closed.
    func receive() -> [Data]? {
        var frames: [Data] = []
        while true {
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            let n = zmq_msg_recv(&msg, handle, 0)
            if n < 0 { return frames.isEmpty ? nil : frames }
            frames.append(n == 0 ? Data() : Data(bytes: zmq_msg_data(&msg), count: Int(n)))
            if zmq_msg_more(&msg) == 0 { return frames }
        }
    }

    func send(_ frames: [Data]) {
        for (i, f) in frames.enumerated() {
            let flags = i < frames.count - 1 ? ZMQ_SNDMORE : 0
            _ = f.withUnsafeBytes { zmq_send(handle, $0.baseAddress, f.count, flags) }
        }
    }

    func close() { zmq_close(handle) }
}

/// The iopub socket, written by the shell thread and the control thread.
final class LockedSocket: @unchecked Sendable {
    private let socket: KernelSocket
    private let lock = NSLock()
    init(_ socket: KernelSocket) { self.socket = socket }
    func send(_ frames: [Data]) { lock.withLock { socket.send(frames) } }
    func close() { lock.withLock { socket.close() } }
}

enum KernelError: Error, CustomStringConvertible {
    case zmq(String, String)
    case connectionFile(String, String)

    var description: String {
        switch self {
        case let .zmq(what, endpoint): return "ZeroMQ \(what) failed for \(endpoint): \(String(cString: zmq_strerror(zmq_errno())))"
        case let .connectionFile(path, why): return "connection file \(path): \(why)"
        }
    }
}

/// The connection file Jupyter writes (`kernel-*.json`): ports, address, key.
struct KernelConnection: Sendable {
    var transport: String
    var ip: String
    var key: Data
    var shell: Int, iopub: Int, stdin: Int, control: Int, heartbeat: Int

    init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KernelError.connectionFile(path, "cannot be read")
        }
        guard let o = (try? JSONSerialization.jsonObject(with: data)) as? JSONObject else {
            throw KernelError.connectionFile(path, "is not a JSON object")
        }
        func port(_ name: String) throws -> Int {
            guard let p = o[name] as? Int, (0...65535).contains(p) else {
                throw KernelError.connectionFile(path, "'\(name)' is missing or not a port number")
            }
            return p
        }
        transport = o["transport"] as? String ?? "tcp"
        guard transport == "tcp" || transport == "ipc" else {
            throw KernelError.connectionFile(path, "transport '\(transport)' is not tcp or ipc")
        }
        ip = o["ip"] as? String ?? "127.0.0.1"
        let scheme = o["signature_scheme"] as? String ?? "hmac-sha256"
        guard scheme == "hmac-sha256" else {
            throw KernelError.connectionFile(path, "signature_scheme '\(scheme)' is not hmac-sha256")
        }
        key = Data((o["key"] as? String ?? "").utf8)
        shell = try port("shell_port"); iopub = try port("iopub_port"); stdin = try port("stdin_port")
        control = try port("control_port"); heartbeat = try port("hb_port")
    }

    func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }
}
