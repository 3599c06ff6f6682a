// Kernel: a Jupyter kernel over one long-lived Kymo session — the session the
// REPL uses, so one state across cells and an error keeps it. The shell
// channel is served on the main thread (cells run there); control (interrupt,
// shutdown, kernel_info) and heartbeat each run on their own thread, so an
// interrupt is answered while a cell runs: it sets the session's interrupt
// flag, which the interpreter checks between statements and training at step
// boundaries, as Ctrl-C does in the REPL. Every request is wrapped in
// busy/idle status messages on iopub. The session is recorded like a REPL
// session (KernelRecording).

import Foundation
import KymoLanguage
import Notebook
import Records
import CZMQ

/// State shared by the three threads.
final class KernelState: @unchecked Sendable {
    private let lock = NSLock()
    private var _stopping = false
    var stopping: Bool { lock.withLock { _stopping } }
    func stop() { lock.withLock { _stopping = true } }
}

/// The replies every channel can give the same way.
struct KernelReplies: Sendable {
    static func kernelInfo() -> JSONObject {
        [
            "status": "ok", "protocol_version": "5.3", "implementation": "kymo",
            "implementation_version": HostEnvironment.version,
            "language_info": [
                "name": "kymo", "version": HostEnvironment.version, "mimetype": "text/x-kymo",
                "file_extension": ".kymo", "pygments_lexer": "text", "codemirror_mode": "text/plain",
            ] as JSONObject,
            "banner": "Kymo \(HostEnvironment.version): spatiotemporal prediction notebooks, recorded and replayable",
            "help_links": [["text": "Kymo README", "url": "https://github.com/kymo/kymo#readme"]],
            "debugger": false,
        ]
    }
}

/// The control channel (own thread): interrupt, shutdown, kernel_info.
final class KernelControl: @unchecked Sendable {
    let socket: KernelSocket
    let iopub: LockedSocket
    let signer: KernelSigner
    let interrupt: InterruptFlag
    let state: KernelState
    let finished = DispatchSemaphore(value: 0)

    init(socket: KernelSocket, iopub: LockedSocket, signer: KernelSigner, interrupt: InterruptFlag, state: KernelState) {
        self.socket = socket; self.iopub = iopub; self.signer = signer; self.interrupt = interrupt; self.state = state
    }

    func serve() {
        while !state.stopping {
            guard socket.poll(milliseconds: 100), let frames = socket.receive() else { continue }
            let (decoded, why) = signer.decode(frames)
            guard let m = decoded else {
                Kernel.log("dropped a message on control: \(why ?? "malformed")")
                continue
            }
            iopub.send(signer.encode("status", content: ["execution_state": "busy"], parent: m, identities: [Data("status".utf8)]))
            switch m.type {
            case "interrupt_request":
                interrupt.request()
                socket.send(signer.encode("interrupt_reply", content: ["status": "ok"], parent: m))
            case "shutdown_request":
                let restart = m.content["restart"] as? Bool ?? false
                socket.send(signer.encode("shutdown_reply", content: ["status": "ok", "restart": restart], parent: m))
                state.stop()
                interrupt.request()
            case "kernel_info_request":
                socket.send(signer.encode("kernel_info_reply", content: KernelReplies.kernelInfo(), parent: m))
            default:
                Kernel.log("control: \(m.type) is not handled on the control channel")
            }
            iopub.send(signer.encode("status", content: ["execution_state": "idle"], parent: m, identities: [Data("status".utf8)]))
        }
        socket.close()
        finished.signal()
    }
}

/// The heartbeat (own thread): echoes every message.
final class KernelHeartbeat: @unchecked Sendable {
    let socket: KernelSocket
    let state: KernelState
    let finished = DispatchSemaphore(value: 0)
    init(socket: KernelSocket, state: KernelState) { self.socket = socket; self.state = state }

    func serve() {
        while !state.stopping {
            guard socket.poll(milliseconds: 100), let frames = socket.receive() else { continue }
            socket.send(frames)
        }
        socket.close()
        finished.signal()
    }
}

final class Kernel {
    private let context: UnsafeMutableRawPointer
    private let signer: KernelSigner
    private let shell: KernelSocket
    private let stdin: KernelSocket
    private let iopub: LockedSocket
    private let control: KernelControl
    private let heartbeat: KernelHeartbeat
    private let state = KernelState()
    private let display: KernelDisplay
    private let session: Session
    private let recording: KernelRecording
    private var executionCount = 0
    /// (execution count, input, text/plain of its result or nil) for history_request.
    private var history: [(count: Int, input: String, output: String?)] = []

    init(connection c: KernelConnection, runsFolder: String?, seed: UInt64, interrupt: InterruptFlag) throws {
        guard let ctx = zmq_ctx_new() else { throw KernelError.zmq("zmq_ctx_new", "") }
        context = ctx
        signer = KernelSigner(key: c.key, session: UUID().uuidString.lowercased())
        shell = try KernelSocket(context: ctx, type: ZMQ_ROUTER, endpoint: c.endpoint(c.shell))
        stdin = try KernelSocket(context: ctx, type: ZMQ_ROUTER, endpoint: c.endpoint(c.stdin))
        iopub = LockedSocket(try KernelSocket(context: ctx, type: ZMQ_PUB, endpoint: c.endpoint(c.iopub)))
        control = KernelControl(socket: try KernelSocket(context: ctx, type: ZMQ_ROUTER, endpoint: c.endpoint(c.control)),
                                iopub: iopub, signer: signer, interrupt: interrupt, state: state)
        heartbeat = KernelHeartbeat(socket: try KernelSocket(context: ctx, type: ZMQ_REP, endpoint: c.endpoint(c.heartbeat)),
                                    state: state)
        display = KernelDisplay(iopub: iopub, signer: signer)
        let cwd = FileManager.default.currentDirectoryPath
        recording = KernelRecording(runsFolder: runsFolder, seed: seed, workingDirectory: cwd, display: display)
        var options = SessionOptions()
        options.seed = seed
        options.interactive = true
        options.runID = recording.id
        options.workingDirectory = cwd
        options.output = display
        options.progress = display
        options.interrupt = interrupt
        options.recordHooks = recording.recorder
        options.figureWriter = HostEnvironment.figureWriter
        options.figureDate = recording.recorder.startedAt
        options.figureDisplay = display
        session = Session(options: options)
    }

    static func log(_ text: String) {
        FileHandle.standardError.write(Data("kymo kernel: \(text)\n".utf8))
    }

    /// Serves until a shutdown request; then records the end of the session.
    func serve() {
        let control = self.control, heartbeat = self.heartbeat
        Thread { control.serve() }.start()
        Thread { heartbeat.serve() }.start()
        iopub.send(signer.encode("status", content: ["execution_state": "starting"], parent: nil, identities: [Data("status".utf8)]))
        while !state.stopping {
            if stdin.poll(milliseconds: 0) { _ = stdin.receive() }  // Kymo asks for no input; nothing is expected here
            guard shell.poll(milliseconds: 100), let frames = shell.receive() else { continue }
            let (decoded, why) = signer.decode(frames)
            guard let m = decoded else {
                Kernel.log("dropped a message on shell: \(why ?? "malformed")")
                continue
            }
            display.parent = m
            display.publish("status", ["execution_state": "busy"])
            handle(m)
            display.parent = m
            display.publish("status", ["execution_state": "idle"])
            display.parent = nil
        }
        recording.finish()
        state.stop()
        control.finished.wait()
        heartbeat.finished.wait()
        shell.close()
        stdin.close()
        iopub.close()
        zmq_ctx_term(context)
    }

    private func reply(_ m: KernelMessage, _ type: String, _ content: JSONObject) {
        shell.send(signer.encode(type, content: content, parent: m))
    }

    private func handle(_ m: KernelMessage) {
        let c = m.content
        switch m.type {
        case "kernel_info_request":
            reply(m, "kernel_info_reply", KernelReplies.kernelInfo())
        case "execute_request":
            execute(m)
        case "is_complete_request":
            reply(m, "is_complete_reply", isComplete(c["code"] as? String ?? ""))
        case "complete_request":
            reply(m, "complete_reply", complete(c["code"] as? String ?? "", cursor: c["cursor_pos"] as? Int))
        case "inspect_request":
            reply(m, "inspect_reply", inspect(c["code"] as? String ?? "", cursor: c["cursor_pos"] as? Int))
        case "history_request":
            reply(m, "history_reply", historyReply(c))
        case "comm_info_request":
            reply(m, "comm_info_reply", ["status": "ok", "comms": [:] as JSONObject])
        case "shutdown_request":
            reply(m, "shutdown_reply", ["status": "ok", "restart": c["restart"] as? Bool ?? false])
            state.stop()
        case "comm_open", "comm_msg", "comm_close":
            break  // no comm targets: ignored, as the protocol asks of unknown comms
        default:
            Kernel.log("shell: \(m.type) is not handled")
        }
    }

    // MARK: execute

    private func execute(_ m: KernelMessage) {
        guard let code = m.content["code"] as? String else {
            reply(m, "execute_reply", ["status": "error", "ename": "BadRequest", "evalue": "execute_request without code",
                                       "traceback": ["execute_request without a string 'code'"], "execution_count": executionCount])
            return
        }
        let silent = m.content["silent"] as? Bool ?? false
        let storeHistory = m.content["store_history"] as? Bool ?? !silent
        if storeHistory && !silent { executionCount += 1 }
        let count = executionCount
        if !silent { display.publish("execute_input", ["code": code, "execution_count": count]) }
        if silent { display.parent = nil }
        defer { display.parent = m }
        let trimmed = code.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix(":help") || trimmed == ":vars" {
            display.write(trimmed == ":vars" ? variables() : helpText(String(trimmed.dropFirst(5)).trimmingCharacters(in: .whitespaces)))
            if storeHistory { history.append((count, code, nil)) }
            reply(m, "execute_reply", ["status": "ok", "execution_count": count, "payload": [] as [Any], "user_expressions": [:] as JSONObject])
            return
        }
        if trimmed.isEmpty {
            reply(m, "execute_reply", ["status": "ok", "execution_count": count, "payload": [] as [Any], "user_expressions": [:] as JSONObject])
            return
        }
        session.interrupt.clear()
        let started = Date()
        let (file, firstLine) = recording.placement(of: code)
        let result = session.evaluate(input: code, file: file, firstLine: firstLine)
        recording.record(result, session: session, startedAt: started, cellID: m.metadata["cellId"] as? String,
                         executionCount: count)
        session.interrupt.clear()  // an interrupt that stopped this cell is spent
        var plain: String?
        if result.status == .complete {
            if let v = result.value, !v.isNil {
                let (data, isFigure) = KernelDisplay.bundle(v)
                plain = data["text/plain"] as? String
                if isFigure {
                    display.publish("display_data", ["data": data, "metadata": [:] as JSONObject, "transient": [:] as JSONObject])
                } else {
                    display.publish("execute_result", ["execution_count": count, "data": data, "metadata": [:] as JSONObject])
                }
            }
            if storeHistory { history.append((count, code, plain)) }
            reply(m, "execute_reply", ["status": "ok", "execution_count": count, "payload": [] as [Any], "user_expressions": [:] as JSONObject])
            return
        }
        if storeHistory { history.append((count, code, nil)) }
        let interrupted = result.status == .interrupted
        let ename = interrupted ? "Interrupted" : "KymoError"
        let evalue = result.diagnostics.first?.text ?? (interrupted ? "interrupted" : "failed")
        var traceback = DiagnosticFormatter.render(result.diagnostics).split(separator: "\n", omittingEmptySubsequences: false)
            .map { Kernel.cellPosition(String($0), count: count, firstLine: firstLine) }
        while traceback.last == "" { traceback.removeLast() }
        if traceback.isEmpty { traceback = [evalue] }
        display.publish("error", ["ename": ename, "evalue": evalue, "traceback": traceback])
        reply(m, "execute_reply", ["status": "error", "execution_count": count, "ename": ename, "evalue": evalue,
                                   "traceback": traceback])
    }

    /// `repl:17:8: error: …` (the record's position) as `In [5]:2:8: error: …` for the notebook.
    static func cellPosition(_ line: String, count: Int, firstLine: Int) -> String {
        guard line.hasPrefix("repl:") else { return line }
        let parts = line.dropFirst(5).split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let l = Int(parts[0]), l >= firstLine else { return line }
        return "In [\(count)]:\(l - firstLine + 1):" + parts[1]
    }

    private func variables() -> String {
        let vars = session.globals
        if vars.isEmpty { return "(no variables)\n" }
        return vars.map { "\($0.name)  \($0.value.typeName)  \(ValueFormatter.inline($0.value))\n" }.joined()
    }

    private func helpText(_ name: String) -> String {
        name.isEmpty ? "Built-ins:\n" + session.help() : session.help(name)
    }

    // MARK: is_complete, complete, inspect, history

    private func isComplete(_ code: String) -> JSONObject {
        if Session.needsMoreInput(code) { return ["status": "incomplete", "indent": ""] }
        if code.trimmingCharacters(in: .whitespaces).hasPrefix(":") { return ["status": "complete"] }
        let parsed = NotebookDocument.parse(file: SourceFile(name: "cell", text: code), text: code, firstLine: 1)
        return ["status": parsed.diagnostics.isEmpty ? "complete" : "invalid"]
    }

    private static func isWordScalar(_ s: Unicode.Scalar) -> Bool {
        s == "_" || s == "." || s.properties.isAlphabetic || ("0"..."9").contains(s)
    }

    /// The code as scalars and the cursor clamped to it (cursor_pos counts Unicode code points).
    private static func scalars(_ code: String, _ cursor: Int?) -> ([Unicode.Scalar], Int) {
        let s = Array(code.unicodeScalars)
        return (s, min(max(cursor ?? s.count, 0), s.count))
    }

    private func complete(_ code: String, cursor: Int?) -> JSONObject {
        let (s, end) = Kernel.scalars(code, cursor)
        var start = end
        while start > 0, Kernel.isWordScalar(s[start - 1]) { start -= 1 }
        let word = String(String.UnicodeScalarView(s[start..<end]))
        var matches = word.isEmpty ? [] : session.completions(for: word)
        if !word.isEmpty, !word.contains(".") {
            // Names the cell itself declares (not run yet) complete too.
            let declared = Kernel.declaredNames(code).filter { $0.hasPrefix(word) && $0 != word }
            matches = Array(Set(matches + declared)).sorted()
        }
        return ["status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end, "metadata": [:] as JSONObject]
    }

    /// The names `let`, `var` and `fn` declare in a code text (scanned, not parsed: the text may be incomplete).
    static func declaredNames(_ code: String) -> [String] {
        let file = SourceFile(name: "cell", text: code)
        var scanner = Scanner(file: file)
        let tokens = scanner.scanAll()
        var names: [String] = []
        for (t, next) in zip(tokens, tokens.dropFirst()) where t.kind == .kwLet || t.kind == .kwVar || t.kind == .kwFn {
            if next.kind == .identifier { names.append(next.text) }
        }
        return names
    }

    private func inspect(_ code: String, cursor: Int?) -> JSONObject {
        let (s, at) = Kernel.scalars(code, cursor)
        var start = at, end = at
        while start > 0, Kernel.isWordScalar(s[start - 1]) { start -= 1 }
        while end < s.count, Kernel.isWordScalar(s[end]) { end += 1 }
        let word = String(String.UnicodeScalarView(s[start..<end])).trimmingCharacters(in: CharacterSet(charactersIn: "."))
        var text: String?
        if let v = session.value(named: word) {
            text = "\(word): \(v.typeName)\n" + ValueFormatter.display(v) + "\n"
        } else if let name = word.split(separator: ".").last.map(String.init), !name.isEmpty {
            let help = session.help(name)
            if !help.hasPrefix("no built-in named") { text = help }
        }
        guard let text else { return ["status": "ok", "found": false, "data": [:] as JSONObject, "metadata": [:] as JSONObject] }
        return ["status": "ok", "found": true, "data": ["text/plain": text], "metadata": [:] as JSONObject]
    }

    /// History of this session (session number 1): tail, range or search (glob).
    private func historyReply(_ c: JSONObject) -> JSONObject {
        let output = c["output"] as? Bool ?? false
        var entries = history
        switch c["hist_access_type"] as? String ?? "tail" {
        case "range":
            let start = c["start"] as? Int ?? 0
            let stop = c["stop"] as? Int ?? Int.max
            entries = entries.filter { $0.count >= start && $0.count < stop }
        case "search":
            let pattern = c["pattern"] as? String ?? "*"
            entries = entries.filter { Kernel.glob(pattern, $0.input) }
            if c["unique"] as? Bool ?? false {
                var seen = Set<String>()
                entries = entries.reversed().filter { seen.insert($0.input).inserted }.reversed()
            }
            if let n = c["n"] as? Int, n >= 0 { entries = Array(entries.suffix(n)) }
        default:
            if let n = c["n"] as? Int, n >= 0 { entries = Array(entries.suffix(n)) }
        }
        let items: [Any] = entries.map { e in
            output ? [1, e.count, [e.input, e.output.map { $0 as Any } ?? NSNull()]] as [Any] : [1, e.count, e.input] as [Any]
        }
        return ["status": "ok", "history": items]
    }

    /// `*` any text, `?` one character (the history search pattern). Iterative,
    /// backtracking only to the last `*`: no recursion, no table, whatever the sizes.
    static func glob(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern), t = Array(text)
        var i = 0, j = 0
        var star: Int?, mark = 0
        while j < t.count {
            if i < p.count, p[i] == "?" || (p[i] != "*" && p[i] == t[j]) { i += 1; j += 1 }
            else if i < p.count, p[i] == "*" { star = i; mark = j; i += 1 }
            else if let s = star { i = s + 1; mark += 1; j = mark }
            else { return false }
        }
        while i < p.count, p[i] == "*" { i += 1 }
        return i == p.count
    }
}
