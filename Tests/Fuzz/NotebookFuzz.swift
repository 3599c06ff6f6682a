// libFuzzer target: scanner → parser → checker over arbitrary bytes (as a
// notebook's text, invalid UTF-8 repaired as `kymo check` reads it). Built
// and run by scripts/fuzz.sh; not part of the package's targets. Any crash,
// hang or sanitizer report is a bug: each one found becomes a script test in
// Tests/NotebookTests/Scripts (fuzz_*.kymo).

import Foundation
import KymoLanguage
@testable import Notebook

@_cdecl("LLVMFuzzerTestOneInput")
public func notebookFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let session = Session(options: SessionOptions())
    _ = session.check(NotebookDocument(name: "fuzz.kymo", text: text))
    return 0
}
