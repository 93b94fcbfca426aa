/// Text helpers for search intent and review sentiment: ASCII-lowercased word tokens,
/// feature hashing of terms, and a small hand-made sentiment lexicon.
///
/// **Lexicon.** Attune's own list of about 60 common English retail-review words, each
/// weighted +1 or −1 (strongly worded ones ±2), with negation: a polarity word within two
/// tokens after `not`, `no`, `never`, `dont`/`don't`, `isnt`, `wasnt`, `hardly` counts with
/// the opposite sign. A review's score is
/// ```
/// sentiment = Σ signed weights / Σ |weights|   ∈ [−1, 1]   (0 when no word matches)
/// ```
/// It is deliberately small and transparent: good enough to separate delighted from angry
/// reviewers, not a replacement for a trained model.
///
/// ## References
/// Weinberger et al., "Feature hashing for large scale multitask learning", ICML 2009 (hashing);
/// Hutto & Gilbert, "VADER", ICWSM 2014 (the lexicon-plus-negation idea, not its word list).
public enum TextFeatures {
    /// The lexicon: word → weight.
    public static let lexicon: [String: Double] = {
        var table: [String: Double] = [:]
        for w in ["good", "nice", "great", "happy", "love", "like", "fast", "quick", "easy", "comfortable", "recommend",
                  "beautiful", "perfect", "friendly", "helpful", "quality", "soft", "fits", "works", "pleased",
                  "satisfied", "worth", "fresh", "cheap", "bargain", "smooth", "cute", "sturdy"] { table[w] = 1 }
        for w in ["excellent", "amazing", "awesome", "fantastic", "wonderful", "best", "superb", "delighted"] { table[w] = 2 }
        for w in ["bad", "poor", "slow", "late", "broken", "damaged", "wrong", "small", "expensive", "disappointed",
                  "disappointing", "cheaply", "returned", "return", "refund", "rude", "missing", "dirty", "faulty",
                  "uncomfortable", "problem", "issue", "waste"] { table[w] = -1 }
        for w in ["terrible", "awful", "horrible", "worst", "useless", "scam", "hate", "garbage"] { table[w] = -2 }
        return table
    }()

    static let negations: Set<String> = ["not", "no", "never", "dont", "don't", "isnt", "isn't", "wasnt", "wasn't", "hardly", "didnt", "didn't"]

    /// The lowercased word tokens of `text` (runs of ASCII letters, digits and apostrophes;
    /// other bytes, including non-ASCII letters, separate words).
    /// - Complexity: O(length).
    public static func tokens(_ text: String) -> [Substring] {
        var result: [Substring] = []
        forEachToken(text) { result.append(Substring(String(decoding: $0, as: UTF8.self))) }
        return result
    }

    /// Calls `body` with each lowercased token's bytes (tokens longer than 64 bytes are cut).
    /// - Complexity: O(length), no allocation.
    static func forEachToken(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        var s = text
        s.withUTF8 { forEachToken($0, body) }
    }

    /// Calls `body` with each lowercased token of UTF-8 `text` (see ``tokens(_:)``).
    /// - Complexity: O(length), no allocation.
    @inline(__always)
    static func forEachToken(_ text: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            var length = 0
            for var c in text {
                let isUpper = c >= 65 && c <= 90
                let isWord = isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 39
                guard isWord else {
                    if length > 0 { body(UnsafeBufferPointer(rebasing: buffer[0..<length])) }
                    length = 0
                    continue
                }
                if isUpper { c += 32 }
                if length < 64 {
                    buffer[length] = c
                    length += 1
                }
            }
            if length > 0 { body(UnsafeBufferPointer(rebasing: buffer[0..<length])) }
        }
    }

    /// The lexicon sentiment of `text` in [−1, 1] (0 when no lexicon word occurs).
    /// - Complexity: O(length).
    public static func sentiment(_ text: String) -> Double {
        var s = text
        return s.withUTF8 { sentiment($0) }
    }

    /// The lexicon sentiment of UTF-8 `text` (see ``sentiment(_:)-(String)``).
    ///
    /// Tokens are packed, lowercased, into two machine words as they are scanned and looked
    /// up in a small open-addressing table of the lexicon and the negations (every word of
    /// which fits in 16 bytes), so no string is made per word.
    /// - Complexity: O(length), no allocation.
    static func sentiment(_ text: UnsafeBufferPointer<UInt8>) -> Double {
        let table = PackedLexicon.shared
        var signed = 0.0
        var total = 0.0
        var negationWindow = 0
        var w0: UInt64 = 0, w1: UInt64 = 0
        var length = 0
        func finishWord() {
            defer {
                w0 = 0
                w1 = 0
                length = 0
            }
            guard length > 0, length <= 16 else {
                if length > 0, negationWindow > 0 { negationWindow -= 1 }
                return
            }
            let weight = table.weight(w0, w1, length)
            if weight.isNaN {
                negationWindow = 2
                return
            }
            if weight != 0 {
                signed += negationWindow > 0 ? -weight : weight
                total += abs(weight)
            }
            if negationWindow > 0 { negationWindow -= 1 }
        }
        for var c in text {
            let isUpper = c >= 65 && c <= 90
            let isWord = isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 39
            guard isWord else {
                finishWord()
                continue
            }
            if isUpper { c += 32 }
            if length < 8 {
                w0 |= UInt64(c) << (8 * UInt64(length))
            } else if length < 16 {
                w1 |= UInt64(c) << (8 * UInt64(length - 8))
            }
            length += 1
        }
        finishWord()
        return total > 0 ? signed / total : 0
    }

    /// The bucket in `0..<buckets` of a term, by 64-bit FNV-1a over its UTF-8 bytes.
    /// - Complexity: O(length of the term).
    public static func bucket(of term: Substring, buckets: Int) -> Int {
        var copy = String(term)
        return copy.withUTF8 { bucket(of: $0, buckets: buckets) }
    }

    /// The bucket of a term given as bytes (see ``bucket(of:buckets:)-(Substring,_)``).
    static func bucket(of term: UnsafeBufferPointer<UInt8>, buckets: Int) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in term {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int(hash % UInt64(max(1, buckets)))
    }
}

/// The lexicon and the negations of ``TextFeatures`` as an open-addressing table keyed by
/// words packed little-end-first into two 64-bit words; a negation's weight is NaN.
private struct PackedLexicon: Sendable {
    static let shared = PackedLexicon()
    private var keys: [(UInt64, UInt64, Int)]
    private var weights: [Double]
    private let mask: Int

    init() {
        let size = 256
        mask = size - 1
        keys = Array(repeating: (0, 0, 0), count: size)
        weights = Array(repeating: 0, count: size)
        var entries = TextFeatures.lexicon.map { ($0.key, $0.value) }
        entries += TextFeatures.negations.map { ($0, Double.nan) }
        for (word, weight) in entries where word.utf8.count <= 16 {
            var w0: UInt64 = 0, w1: UInt64 = 0
            for (k, c) in word.utf8.enumerated() {
                if k < 8 { w0 |= UInt64(c) << (8 * UInt64(k)) } else { w1 |= UInt64(c) << (8 * UInt64(k - 8)) }
            }
            var i = PackedLexicon.slot(w0, w1, word.utf8.count, mask: mask)
            while keys[i].2 != 0 { i = (i + 1) & mask }
            keys[i] = (w0, w1, word.utf8.count)
            weights[i] = weight
        }
    }

    @inline(__always)
    private static func slot(_ w0: UInt64, _ w1: UInt64, _ length: Int, mask: Int) -> Int {
        Int(truncatingIfNeeded: ByteHash.mix(w0 ^ (w1 << 1 | w1 >> 63) ^ UInt64(length) << 59)) & mask
    }

    /// The weight of the packed word (NaN for a negation, 0 when not in the lexicon).
    @inline(__always)
    func weight(_ w0: UInt64, _ w1: UInt64, _ length: Int) -> Double {
        var i = PackedLexicon.slot(w0, w1, length, mask: mask)
        while true {
            let k = keys[i]
            if k.2 == 0 { return 0 }
            if k.0 == w0, k.1 == w1, k.2 == length { return weights[i] }
            i = (i + 1) & mask
        }
    }
}
