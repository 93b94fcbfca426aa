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
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
            var length = 0
            func flush() {
                if length > 0 { body(UnsafeBufferPointer(rebasing: buffer[0..<length])) }
                length = 0
            }
            for var c in text.utf8 {
                let isUpper = c >= 65 && c <= 90
                let isWord = isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c == 39
                guard isWord else {
                    flush()
                    continue
                }
                if isUpper { c += 32 }
                if length < 64 {
                    buffer[length] = c
                    length += 1
                }
            }
            flush()
        }
    }

    /// The lexicon sentiment of `text` in [−1, 1] (0 when no lexicon word occurs).
    /// - Complexity: O(length).
    public static func sentiment(_ text: String) -> Double {
        var signed = 0.0
        var total = 0.0
        var negationWindow = 0
        forEachToken(text) { bytes in
            // Words of up to 15 bytes are stored inline by String: no allocation here.
            let word = String(decoding: bytes, as: UTF8.self)
            if negations.contains(word) {
                negationWindow = 2
                return
            }
            if let w = lexicon[word] {
                signed += negationWindow > 0 ? -w : w
                total += abs(w)
            }
            if negationWindow > 0 { negationWindow -= 1 }
        }
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
