// Progress and interruption: the two channels between a long built-in and
// the host. The Notebook target never touches a terminal: the host passes a
// `ProgressReporter` (a live line on a terminal, plain periodic lines
// otherwise) and an `InterruptFlag` its Ctrl-C handler sets.

import KymoLanguage
import Foundation
import Synchronization

/// Receives progress of long work. All calls come from the session's thread.
public protocol ProgressReporter: AnyObject {
    func progressBegan(_ title: String, total: Int)
    /// `done` units of `total` finished; `detail` such as "loss 0.0213".
    func progressAdvanced(_ title: String, done: Int, total: Int, detail: String)
    /// The work ended (finished, failed or interrupted) after `done` units.
    func progressEnded(_ title: String, done: Int, total: Int, detail: String)
    /// The work continues from `done` units finished earlier (a resumed
    /// training call): rates count only the units done from here.
    func progressResumed(_ title: String, from done: Int)
}

extension ProgressReporter {
    public func progressResumed(_ title: String, from done: Int) {}
}

/// A reporter that shows nothing (tests, `kymo check`).
public final class SilentProgress: ProgressReporter {
    public init() {}
    public func progressBegan(_ title: String, total: Int) {}
    public func progressAdvanced(_ title: String, done: Int, total: Int, detail: String) {}
    public func progressEnded(_ title: String, done: Int, total: Int, detail: String) {}
}

/// What a built-in holds while it reports progress.
public final class ProgressHandle {
    let reporter: ProgressReporter
    public let title: String
    public let total: Int
    public private(set) var done = 0
    private var ended = false

    init(reporter: ProgressReporter, title: String, total: Int) {
        self.reporter = reporter
        self.title = title
        self.total = total
        reporter.progressBegan(title, total: total)
    }

    public func advance(to done: Int, detail: String = "") {
        self.done = done
        reporter.progressAdvanced(title, done: done, total: total, detail: detail)
    }

    /// `done` units were finished before this call began (resumed from a checkpoint).
    public func resumed(from done: Int) {
        self.done = done
        reporter.progressResumed(title, from: done)
    }

    public func end(detail: String = "") {
        guard !ended else { return }
        ended = true
        reporter.progressEnded(title, done: done, total: total, detail: detail)
    }

    deinit { end() }
}

/// A flag set asynchronously (from a signal handler, or the Jupyter kernel's
/// control thread) and polled by the interpreter between statements and by
/// training at step boundaries, from any thread. One lock-free atomic word:
/// its operations are async-signal-safe and free of data races.
public final class InterruptFlag: Sendable {
    private let word = Atomic<Int32>(0)

    public init() {}

    public var isRequested: Bool { word.load(ordering: .acquiring) != 0 }
    public func request() { word.store(1, ordering: .releasing) }
    public func clear() { word.store(0, ordering: .releasing) }
}

/// Where printed output goes.
public protocol OutputSink: AnyObject {
    func write(_ text: String)
}

/// An output sink that keeps everything (tests, embedding).
public final class BufferSink: OutputSink {
    public private(set) var text = ""
    public init() {}
    public func write(_ text: String) { self.text += text }
}
