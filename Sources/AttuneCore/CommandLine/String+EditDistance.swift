// MARK: - Suggestions for misspelled names

extension String {
    /// The optimal-string-alignment distance to `other`: insertions, deletions, substitutions
    /// and transpositions of adjacent characters each cost 1.
    ///
    /// - Complexity: O(m·n) time, O(n) memory.
    /// ## References
    /// Damerau, "A technique for computer detection and correction of spelling errors" (1964).
    public func editDistance(to other: String) -> Int {
        let a = Array(self), b = Array(other)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var twoBack = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    best = Swift.min(best, twoBack[j - 2] + 1)
                }
                current[j] = best
            }
            (twoBack, previous, current) = (previous, current, twoBack)
        }
        return previous[b.count]
    }

    /// The candidate nearest to this string, if it is close enough to be a likely typo:
    /// within an edit distance of max(2, length / 3), or the only candidate it is a prefix of.
    /// Ties go to the earlier candidate. Used for "did you mean …?" in messages.
    /// - Complexity: O(k·m·n) for k candidates.
    public func nearest(among candidates: [String]) -> String? {
        let limit = Swift.max(2, count / 3)
        var best: (candidate: String, distance: Int)?
        for candidate in candidates {
            let distance = editDistance(to: candidate)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        if let best { return best.candidate }
        let extensions = candidates.filter { $0.hasPrefix(self) }
        return extensions.count == 1 ? extensions[0] : nil
    }
}
