// libFuzzer target: the report's SVG sanitizer (Records' SVGSanitizer) over
// arbitrary bytes. Beyond never crashing, what it returns must keep its
// promise — read back tag by tag, it holds no <script>, <foreignObject> or
// <iframe> element, no event-handler attribute (on…), and no reference but
// `#id` or a PNG data URI — or the fuzzer stops as on a crash. Built and run
// by scripts/fuzz.sh.

import Foundation
import Records

private let attribute = try! NSRegularExpression(pattern: #"\s([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)""#)

/// The first broken promise in sanitized markup, if any. Text and values are
/// escaped by the sanitizer, so every `<` starts a tag and `>` ends it.
private func brokenPromise(_ safe: String) -> String? {
    var rest = safe[...]
    while let open = rest.firstIndex(of: "<") {
        guard let close = rest[open...].firstIndex(of: ">") else { return "a tag that never closes" }
        let tag = String(rest[rest.index(after: open)..<close])
        rest = rest[rest.index(after: close)...]
        let name = tag.split(whereSeparator: { $0 == " " || $0 == "/" }).first.map { $0.lowercased() } ?? ""
        if ["script", "foreignobject", "iframe"].contains(name) { return "<\(name)>" }
        for m in attribute.matches(in: tag, range: NSRange(tag.startIndex..., in: tag)) {
            let key = (tag as NSString).substring(with: m.range(at: 1)).lowercased()
            let value = (tag as NSString).substring(with: m.range(at: 2))
            if key.hasPrefix("on") { return "the event handler \(key)" }
            if key == "href" || key == "xlink:href", !(value.hasPrefix("#") || value.hasPrefix("data:image/png;base64,")) {
                return "the reference \(key)=\"\(value.prefix(40))\""
            }
        }
    }
    return nil
}

@_cdecl("LLVMFuzzerTestOneInput")
public func svgFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let markup = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let safe = SVGSanitizer.sanitize(markup, idPrefix: "f1-") else { return 0 }
    if let broken = brokenPromise(safe) { fatalError("SVGSanitizer let through \(broken)") }
    return 0
}
