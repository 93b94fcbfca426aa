import Linalg

/// The exact CART split search over presorted feature orders (see ``DecisionTree``).
struct TreeBuilder {
    let x: Matrix
    let labels: [Int32]
    let classes: Int
    let configuration: DecisionTree.Configuration
    let n: Int
    let d: Int
    /// `order[j * n ..< (j + 1) * n]` holds the row indices sorted by feature j; every node
    /// owns the same sub-range of each feature's block.
    var order: [Int32]
    var scratch: [Int32]
    var goesLeft: [Bool]
    var nodes: [DecisionTree.Node] = []

    init(x: Matrix, labels: [Int], configuration: DecisionTree.Configuration) {
        self.x = x
        self.labels = labels.map { Int32(truncatingIfNeeded: $0) }
        classes = (labels.max() ?? 0) + 1
        self.configuration = configuration
        n = x.rows
        d = x.columns
        order = [Int32](repeating: 0, count: n * d)
        scratch = [Int32](repeating: 0, count: n)
        goesLeft = [Bool](repeating: false, count: n)
        var column = [Double](repeating: 0, count: n)
        for j in 0..<d {
            for i in 0..<n { column[i] = x.elements[i * d + j] }
            let sorted = (0..<n).sorted { column[$0] < column[$1] || (column[$0] == column[$1] && $0 < $1) }
            for (p, i) in sorted.enumerated() { order[j * n + p] = Int32(i) }
        }
    }

    mutating func build() -> [DecisionTree.Node] {
        nodes = []
        _ = grow(lo: 0, hi: n, depth: 0)
        return nodes
    }

    /// Builds the subtree over sorted positions `lo..<hi` and returns its node index.
    private mutating func grow(lo: Int, hi: Int, depth: Int) -> Int {
        var counts = [Int](repeating: 0, count: classes)
        for p in lo..<hi { counts[Int(labels[Int(order[p])])] += 1 }
        var prediction = 0
        for c in 1..<max(1, classes) where counts[c] > counts[prediction] { prediction = c }
        let index = nodes.count
        nodes.append(.init(feature: -1, threshold: 0, left: -1, right: -1, prediction: prediction, samples: hi - lo))
        let size = hi - lo
        guard depth < configuration.maximumDepth, size >= 2 * configuration.minimumLeafSize,
            counts[prediction] < size, let split = bestSplit(lo: lo, hi: hi, counts: counts)
        else { return index }
        // Partition every feature's range stably by the split.
        let f = split.feature
        for p in lo..<hi {
            let i = Int(order[f * n + p])
            goesLeft[i] = x.elements[i * d + f] <= split.threshold
        }
        let leftCount = split.leftCount
        for j in 0..<d {
            var l = 0, r = leftCount
            for p in lo..<hi {
                let i = order[j * n + p]
                if goesLeft[Int(i)] {
                    scratch[l] = i
                    l += 1
                } else {
                    scratch[r] = i
                    r += 1
                }
            }
            for p in 0..<size { order[j * n + lo + p] = scratch[p] }
        }
        let left = grow(lo: lo, hi: lo + leftCount, depth: depth + 1)
        let right = grow(lo: lo + leftCount, hi: hi, depth: depth + 1)
        nodes[index].feature = f
        nodes[index].threshold = split.threshold
        nodes[index].left = left
        nodes[index].right = right
        return index
    }

    /// The split minimising the weighted Gini impurity, `nil` when no split improves on the
    /// parent or respects the minimum leaf size.
    private func bestSplit(lo: Int, hi: Int, counts: [Int]) -> (feature: Int, threshold: Double, leftCount: Int)? {
        let size = hi - lo
        let total = Double(size)
        let parentSquares = counts.reduce(0.0) { $0 + Double($1) * Double($1) }
        // Weighted impurity n·Gini = n − Σc²/n; minimising it = maximising Σc_L²/n_L + Σc_R²/n_R.
        var bestScore = parentSquares / total + 1e-12 * total
        var best: (feature: Int, threshold: Double, leftCount: Int)?
        var left = [Int](repeating: 0, count: classes)
        let minLeaf = configuration.minimumLeafSize
        for j in 0..<d {
            for c in 0..<classes { left[c] = 0 }
            var leftSquares = 0.0
            var rightSquares = parentSquares
            var right = counts
            let base = j * n
            for p in lo..<(hi - 1) {
                let i = Int(order[base + p])
                let c = Int(labels[i])
                leftSquares += Double(2 * left[c] + 1)
                rightSquares -= Double(2 * right[c] - 1)
                left[c] += 1
                right[c] -= 1
                let nl = p - lo + 1
                guard nl >= minLeaf, size - nl >= minLeaf else { continue }
                let v = x.elements[i * d + j]
                let next = x.elements[Int(order[base + p + 1]) * d + j]
                guard v < next else { continue }
                let score = leftSquares / Double(nl) + rightSquares / Double(size - nl)
                if score > bestScore {
                    bestScore = score
                    var threshold = v + (next - v) / 2
                    // The midpoint can round up to `next` when the two are adjacent doubles.
                    if threshold >= next { threshold = v }
                    best = (j, threshold, nl)
                }
            }
        }
        return best
    }
}
