// LineEditor: GNU readline in callback mode, so Ctrl-C at the prompt can
// clear the line (the signal only sets a flag; the loop below sees it when
// poll() returns). History is kept in a file between sessions; Tab completes
// built-ins, variables and record fields through a closure the REPL gives.
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
nonisolated(unsafe) private var completionSource: ((String) -> [String])?
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

private let attemptedCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, _, _ in
    rl_attempted_completion_over = 1  // never fall back to file names
    rl_completion_append_character = 0  // `print` then `(`, `cfg.` then a field: no space
    guard let text else { return nil }
    completionMatches = completionSource?(String(cString: text)) ?? []
    return rl_completion_matches(text, completionGenerator)
}

final class LineEditor {
    let interactive: Bool
    private let historyPath: String
    private let interrupt: InterruptFlag
    // Kept alive for readline, which stores the pointer. Safe to share:
    // written once here, only ever read (by readline, on the REPL's thread).
    nonisolated(unsafe) private static let wordBreaks = strdup(" \t\n\"\\'`@$><=;|&{([,+-*/%:!)]}")

    init(interrupt: InterruptFlag, completions: @escaping (String) -> [String]) {
        self.interrupt = interrupt
        interactive = isatty(STDIN_FILENO) != 0
        historyPath = ProcessInfo.processInfo.environment["KYMO_HISTORY"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".kymo_history")
        guard interactive else { return }
        completionSource = completions
        rl_catch_signals = 0
        rl_readline_name = UnsafePointer(strdup("kymo"))
        rl_attempted_completion_function = attemptedCompletion
        rl_basic_word_break_characters = UnsafePointer(LineEditor.wordBreaks)
        using_history()
        stifle_history(1000)
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

    func remember(_ line: String) {
        guard interactive, !line.trimmingCharacters(in: .whitespaces).isEmpty else { return }
        add_history(line)
        write_history(historyPath)
    }
}
