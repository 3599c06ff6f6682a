// LineEditor: GNU readline in callback mode, so Ctrl-C at the prompt can
// clear the line (the signal only sets a flag; the loop below sees it when
// poll() returns). History: one entry per input (a multi-line input is one
// entry), appended to the history file as it is accepted (never rewritten,
// so concurrent sessions keep each other's lines), in $KYMO_HISTORY, else
// $XDG_STATE_HOME/kymo/history, else ~/.local/state/kymo/history (an old
// ~/.kymo_history is copied there once). Tab completes through a closure the
// REPL gives (ReplCompletion), with the line before the cursor. Bracketed
// paste is on: a paste arrives as one text with its newlines.
// Piped (non-terminal) input bypasses readline entirely.

@preconcurrency import CReadline
import Foundation
import KymoLanguage
import Notebook

enum ReadResult {
    case line(String)
    case interrupted
    case endOfInput
}

// C callbacks cannot capture context; the one editor keeps its state here.
// Safe: readline calls them synchronously on the REPL's own thread, the only one that touches them.
nonisolated(unsafe) private var pendingLine: String?
nonisolated(unsafe) private var pendingDone = false
nonisolated(unsafe) private var completionSource: ((String, String) -> [String])?
nonisolated(unsafe) private var completionMatches: [String] = []
nonisolated(unsafe) private var completionIndex = 0

private let lineHandler: @convention(c) (UnsafeMutablePointer<CChar>?) -> Void = { raw in
    if let raw {
        pendingLine = String(cString: raw)
        free(raw)
    } else {
        pendingLine = nil
    }
    pendingDone = true
    rl_callback_handler_remove()
}

private let completionGenerator: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, state in
    if state == 0 { completionIndex = 0 }
    guard completionIndex < completionMatches.count else { return nil }
    defer { completionIndex += 1 }
    return strdup(completionMatches[completionIndex])
}

private let attemptedCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, _, end in
    rl_attempted_completion_over = 1  // readline's own file-name completion never runs (ReplCompletion does paths)
    rl_completion_append_character = 0  // `print` then `(`, `cfg.` then a field: no space
    guard let text else { return nil }
    var before = ""
    if let buffer = rl_line_buffer {
        let bytes = UnsafeRawBufferPointer(start: buffer, count: max(0, min(Int(end), strlen(buffer))))
        before = String(decoding: bytes, as: UTF8.self)
    }
    completionMatches = completionSource?(before, String(cString: text)) ?? []
    return rl_completion_matches(text, completionGenerator)
}

final class LineEditor {
    let interactive: Bool
    private let historyPath: String
    private let interrupt: InterruptFlag
    // Kept alive for readline, which stores the pointer. Safe to share:
    // written once here, only ever read (by readline, on the REPL's thread).
    nonisolated(unsafe) private static let wordBreaks = strdup(" \t\n\"\\'`@$><=;|&{([,+-*/%:!)]}")

    static let historyLimit = 1000

    init(interrupt: InterruptFlag, completions: @escaping (_ lineBeforeCursor: String, _ word: String) -> [String]) {
        self.interrupt = interrupt
        interactive = isatty(STDIN_FILENO) != 0
        historyPath = ReplHistory.path()
        guard interactive else { return }
        ReplHistory.prepare(historyPath)
        completionSource = completions
        rl_catch_signals = 0
        rl_readline_name = UnsafePointer(strdup("kymo"))
        rl_attempted_completion_function = attemptedCompletion
        rl_basic_word_break_characters = UnsafePointer(LineEditor.wordBreaks)
        rl_variable_bind("enable-bracketed-paste", "on")
        // Entries carry a timestamp line, so a multi-line entry reads back whole.
        history_comment_char = CChar(UInt8(ascii: "#"))   // timestamps are written only with a comment character
        history_write_timestamps = 1
        history_multiline_entries = 1
        using_history()
        stifle_history(Int32(LineEditor.historyLimit))
        read_history(historyPath)
    }

    func readLine(prompt: String) -> ReadResult {
        guard interactive else {
            guard let line = Swift.readLine(strippingNewline: true) else { return .endOfInput }
            return .line(line)
        }
        pendingDone = false
        pendingLine = nil
        rl_callback_handler_install(prompt, lineHandler)
        while !pendingDone {
            if interrupt.isRequested {
                interrupt.clear()
                rl_replace_line("", 0)
                rl_callback_handler_remove()
                FileHandle.standardOutput.write(Data("^C\n".utf8))
                return .interrupted
            }
            var fd = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fd, 1, 200)
            if ready > 0 { rl_callback_read_char() }
        }
        guard let line = pendingLine else {
            FileHandle.standardOutput.write(Data("\n".utf8))
            return .endOfInput
        }
        return .line(line)
    }

    /// Adds one whole input (all its lines) to the history and appends it to
    /// the file; the file is cut to the last `historyLimit` entries now and then.
    func remember(_ input: String) {
        guard interactive, !input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        add_history(input)
        if append_history(1, historyPath) != 0 { write_history(historyPath) }   // no file yet: create it
        appended += 1
        if appended % 100 == 0 { history_truncate_file(historyPath, Int32(LineEditor.historyLimit)) }
    }

    private var appended = 0
}
