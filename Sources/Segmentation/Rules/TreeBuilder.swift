import Dispatch
import Foundation
import Linalg
import Synchronization

/// The presorted blocks, shared by the sorting workers; each worker writes only the block of
/// its own feature, so no two threads touch the same element.
private struct SortTargets: @unchecked Sendable {
    let source: UnsafePointer<Double>
    let order: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Double>
    let labels: UnsafeMutablePointer<Int32>
}

/// The sorted blocks and the per-worker scratch blocks of a partition or a split search;
/// each worker reads and writes only the blocks of its own features and its own scratch.
private struct PartitionTargets: @unchecked Sendable {
    let order: UnsafeMutablePointer<Int32>
    let values: UnsafeMutablePointer<Double>
    let labels: UnsafeMutablePointer<Int32>
    let scratchOrder: UnsafeMutablePointer<Int32>
    let scratchValues: UnsafeMutablePointer<Double>
    let scratchLabels: UnsafeMutablePointer<Int32>
    let goesLeft: UnsafePointer<Bool>
}

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
    /// `values[j * n + p] = x[order[j * n + p], j]` and `sortedLabels` likewise: the split
    /// search then reads memory sequentially instead of gathering through `order`.
    var values: [Double]
    var sortedLabels: [Int32]
    var scratch: [Int32]
    var scratchValues: [Double]
    var scratchLabels: [Int32]
    var goesLeft: [Bool]
    var nodes: [DecisionTree.Node] = []
    /// Threads for the split search and the partition: features are dealt out in contiguous
    /// chunks, and the results do not depend on the count.
    let workers: Int

    init(x: Matrix, labels: [Int], configuration: DecisionTree.Configuration) {
        self.x = x
        self.labels = labels.map { Int32(truncatingIfNeeded: $0) }
        classes = (labels.max() ?? 0) + 1
        self.configuration = configuration
        n = x.rows
        d = x.columns
        // The big blocks are written before they are read (the sort fills every element, a
        // partition writes its scratch first), so they skip the zero fill: their pages are
        // first touched by the parallel workers instead of by one thread.
        order = TreeBuilder.unfilled(n * d)
        values = TreeBuilder.unfilled(n * d)
        sortedLabels = TreeBuilder.unfilled(n * d)
        workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, x.columns))
        scratch = TreeBuilder.unfilled(n * workers)
        scratchValues = TreeBuilder.unfilled(n * workers)
        scratchLabels = TreeBuilder.unfilled(n * workers)
        goesLeft = [Bool](repeating: false, count: n)
        // Each feature is sorted independently by a radix sort: in parallel, each worker with
        // its own sorter writing the blocks of its own features.
        let y = self.labels, n = self.n, d = self.d, workers = self.workers
        x.elements.withUnsafeBufferPointer { xb in
            order.withUnsafeMutableBufferPointer { ob in
                values.withUnsafeMutableBufferPointer { vb in
                    sortedLabels.withUnsafeMutableBufferPointer { lb in
                        guard let source = xb.baseAddress, let o = ob.baseAddress, let v = vb.baseAddress, let l = lb.baseAddress
                        else { return }
                        let shared = SortTargets(source: source, order: o, values: v, labels: l)
                        DispatchQueue.concurrentPerform(iterations: workers) { w in
                            let features = (d * w / workers)..<(d * (w + 1) / workers)
                            // The worker's columns, contiguous, in one pass over the rows.
                            for i in 0..<n {
                                for j in features { shared.values[j * n + i] = shared.source[i * d + j] }
                            }
                            var sorter = RadixSorter(n: n)
                            for j in features {
                                let base = j * n
                                sorter.sort(shared.values + base) { p, row, value in
                                    shared.order[base + p] = row
                                    shared.values[base + p] = value
                                    shared.labels[base + p] = y[Int(row)]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// An array of `count` plain numbers whose contents are not set: every element must be
    /// written before it is read.
    private static func unfilled<T: BinaryInteger & BitwiseCopyable>(_ count: Int) -> [T] {
        [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    private static func unfilled(_ count: Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    mutating func build() -> [DecisionTree.Node] {
        nodes = []
        var counts = [Int](repeating: 0, count: classes)
        for label in labels { counts[Int(label)] += 1 }
        _ = grow(lo: 0, hi: n, depth: 0, counts: counts)
        return nodes
    }

    /// Builds the subtree over sorted positions `lo..<hi`, whose class counts are `counts`,
    /// and returns its node index.
    private mutating func grow(lo: Int, hi: Int, depth: Int, counts: [Int]) -> Int {
        var prediction = 0
        for c in 1..<max(1, classes) where counts[c] > counts[prediction] { prediction = c }
        let index = nodes.count
        nodes.append(.init(feature: -1, threshold: 0, left: -1, right: -1, prediction: prediction, samples: hi - lo))
        let size = hi - lo
        guard depth < configuration.maximumDepth, size >= 2 * configuration.minimumLeafSize,
            counts[prediction] < size, let split = bestSplit(lo: lo, hi: hi, counts: counts)
        else { return index }
        let f = split.feature
        var leftCounts = [Int](repeating: 0, count: classes)
        for p in (f * n + lo)..<(f * n + lo + split.leftCount) { leftCounts[Int(sortedLabels[p])] += 1 }
        let rightCounts = zip(counts, leftCounts).map { $0 - $1 }
        // Partition every feature's range stably by the split, unless the children are at the
        // maximum depth: leaves need only their counts.
        if depth + 1 < configuration.maximumDepth { partition(lo: lo, hi: hi, feature: f, threshold: split.threshold, leftCount: split.leftCount) }
        let left = grow(lo: lo, hi: lo + split.leftCount, depth: depth + 1, counts: leftCounts)
        let right = grow(lo: lo + split.leftCount, hi: hi, depth: depth + 1, counts: rightCounts)
        nodes[index].feature = f
        nodes[index].threshold = split.threshold
        nodes[index].left = left
        nodes[index].right = right
        return index
    }

    /// Reorders positions `lo..<hi` of every feature's block stably so that the rows with
    /// `x[feature] ≤ threshold` (the first `leftCount` of `feature`'s block) come first.
    private mutating func partition(lo: Int, hi: Int, feature f: Int, threshold: Double, leftCount: Int) {
        let size = hi - lo
        for p in lo..<hi { goesLeft[Int(order[f * n + p])] = values[f * n + p] <= threshold }
        let n = self.n, d = self.d, workers = size >= 10_000 ? self.workers : 1
        order.withUnsafeMutableBufferPointer { o in
            values.withUnsafeMutableBufferPointer { v in
                sortedLabels.withUnsafeMutableBufferPointer { y in
                    scratch.withUnsafeMutableBufferPointer { so in
                        scratchValues.withUnsafeMutableBufferPointer { sv in
                            scratchLabels.withUnsafeMutableBufferPointer { sy in
                                goesLeft.withUnsafeBufferPointer { left in
                                    guard let ob = o.baseAddress, let vb = v.baseAddress, let yb = y.baseAddress,
                                          let sob = so.baseAddress, let svb = sv.baseAddress, let syb = sy.baseAddress,
                                          let lb = left.baseAddress
                                    else { return }
                                    let t = PartitionTargets(
                                        order: ob, values: vb, labels: yb, scratchOrder: sob, scratchValues: svb, scratchLabels: syb,
                                        goesLeft: lb)
                                    DispatchQueue.concurrentPerform(iterations: workers) { w in
                                        let scratchBase = w * n
                                        for j in (d * w / workers)..<(d * (w + 1) / workers) {
                                            var l = scratchBase, r = scratchBase + leftCount
                                            let base = j * n
                                            for p in lo..<hi {
                                                let i = t.order[base + p]
                                                let target: Int
                                                if t.goesLeft[Int(i)] {
                                                    target = l
                                                    l += 1
                                                } else {
                                                    target = r
                                                    r += 1
                                                }
                                                t.scratchOrder[target] = i
                                                t.scratchValues[target] = t.values[base + p]
                                                t.scratchLabels[target] = t.labels[base + p]
                                            }
                                            for p in 0..<size {
                                                t.order[base + lo + p] = t.scratchOrder[scratchBase + p]
                                                t.values[base + lo + p] = t.scratchValues[scratchBase + p]
                                                t.labels[base + lo + p] = t.scratchLabels[scratchBase + p]
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The split minimising the weighted Gini impurity, `nil` when no split improves on the
    /// parent or respects the minimum leaf size. Features are searched in parallel chunks;
    /// the chunks' winners are merged in feature order keeping the first strict improvement,
    /// so the result is the sequential search's whatever the thread count.
    private func bestSplit(lo: Int, hi: Int, counts: [Int]) -> (feature: Int, threshold: Double, leftCount: Int)? {
        let size = hi - lo
        let total = Double(size)
        let parentSquares = counts.reduce(0.0) { $0 + Double($1) * Double($1) }
        // Weighted impurity n·Gini = n − Σc²/n; minimising it = maximising Σc_L²/n_L + Σc_R²/n_R.
        let floor = parentSquares / total + 1e-12 * total
        let workers = size >= 10_000 ? self.workers : 1
        let d = self.d, n = self.n, classes = self.classes, minLeaf = configuration.minimumLeafSize
        let counts = counts
        typealias Candidate = (score: Double, split: (feature: Int, threshold: Double, leftCount: Int)?)
        let results = Mutex([Candidate](repeating: (floor, nil), count: workers))
        values.withUnsafeBufferPointer { vals in
            sortedLabels.withUnsafeBufferPointer { ys in
                guard let vb = vals.baseAddress, let yb = ys.baseAddress else { return }
                let inputs = SplitInputs(values: vb, labels: yb)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var bestScore = floor
                    var best: (feature: Int, threshold: Double, leftCount: Int)?
                    // Class counts of both sides, left then right, without bounds checks in the sweep.
                    withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * classes) { sides in
                        guard let lc = sides.baseAddress else { return }
                        let rc = lc + classes
                        for j in (d * w / workers)..<(d * (w + 1) / workers) {
                            for c in 0..<classes {
                                lc[c] = 0
                                rc[c] = counts[c]
                            }
                            var leftSquares = 0.0
                            var rightSquares = parentSquares
                            let vals = inputs.values + j * n, ys = inputs.labels + j * n
                            for p in lo..<(hi - 1) {
                                let c = Int(ys[p])
                                leftSquares += Double(2 * lc[c] + 1)
                                rightSquares -= Double(2 * rc[c] - 1)
                                lc[c] += 1
                                rc[c] -= 1
                                let v = vals[p]
                                let next = vals[p + 1]
                                guard v < next else { continue }
                                let nl = p - lo + 1
                                guard nl >= minLeaf, size - nl >= minLeaf else { continue }
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
                    }
                    results.withLock { $0[w] = (bestScore, best) }
                }
            }
        }
        var bestScore = floor
        var best: (feature: Int, threshold: Double, leftCount: Int)?
        for candidate in results.withLock({ $0 }) where candidate.split != nil && candidate.score > bestScore {
            bestScore = candidate.score
            best = candidate.split
        }
        return best
    }
}

/// Read-only views of the sorted blocks for the parallel split search.
private struct SplitInputs: @unchecked Sendable {
    let values: UnsafePointer<Double>
    let labels: UnsafePointer<Int32>
}
