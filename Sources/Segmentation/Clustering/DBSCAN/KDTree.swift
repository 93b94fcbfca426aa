import Linalg

/// A static k-d tree over the rows of a matrix for fixed-radius neighbour queries.
///
/// Built by recursive median splits on the dimension of largest spread, with leaves of up
/// to ``leafSize`` points; each node keeps its bounding box so a query prunes a subtree as
/// soon as the box is farther than the radius. The points are stored again in tree order
/// and dimension-major (``columns``), so the distances from one query to all points of a
/// leaf are one contiguous, vectorisable sweep per dimension. Rows are addressed by their
/// *position* in tree order; ``indices`` maps a position back to its row.
/// - Complexity: build O(n log n · d); a radius query O(log n + neighbours) for well-spread
///   data in low dimension (it degrades towards O(n) as d grows).
///
/// ## References
/// Bentley, "Multidimensional binary search trees used for associative searching",
/// CACM 18(9), 1975.
struct KDTree: Sendable {
    static let leafSize = 16

    struct Node: Sendable {
        var lo: Int  // range of positions
        var hi: Int
        var left: Int  // −1 for a leaf
        var right: Int
    }

    /// The number of points.
    let count: Int
    /// The number of coordinates per point.
    let d: Int
    /// The row at each position.
    private(set) var indices: [Int32]
    private(set) var nodes: [Node] = []
    /// Bounding boxes: `2 d` numbers per node (min then max).
    private(set) var boxes: [Double] = []
    /// `columns[j * count + p]` is coordinate j of the point at position p.
    private(set) var columns: [Double] = []
    /// The node index of every leaf, in position order.
    private(set) var leaves: [Int] = []

    init(_ x: Matrix) {
        count = x.rows
        d = x.columns
        indices = (0..<Int32(x.rows)).map { $0 }
        if x.rows > 0 {
            x.elements.withUnsafeBufferPointer { points in
                guard let base = points.baseAddress else { return }
                _ = build(base, lo: 0, hi: x.rows)
            }
        }
        var columns = [Double](repeating: 0, count: x.rows * d)
        for (p, i) in indices.enumerated() {
            for j in 0..<d { columns[j * count + p] = x.elements[Int(i) * d + j] }
        }
        self.columns = columns
    }

    private mutating func build(_ points: UnsafePointer<Double>, lo: Int, hi: Int) -> Int {
        let index = nodes.count
        nodes.append(Node(lo: lo, hi: hi, left: -1, right: -1))
        var box = [Double](repeating: .infinity, count: d) + [Double](repeating: -.infinity, count: d)
        for p in lo..<hi {
            let row = points + Int(indices[p]) * d
            for j in 0..<d {
                box[j] = min(box[j], row[j])
                box[d + j] = max(box[d + j], row[j])
            }
        }
        boxes.append(contentsOf: box)
        guard hi - lo > KDTree.leafSize else { return leaf(index) }
        var split = 0
        for j in 1..<max(1, d) where box[d + j] - box[j] > box[d + split] - box[split] { split = j }
        let mid = (lo + hi) / 2
        // All points identical: any halving will do, and keeps every leaf within `leafSize`.
        if box[d + split] > box[split] { select(points, lo: lo, hi: hi, k: mid, dimension: split) }
        let left = build(points, lo: lo, hi: mid)
        let right = build(points, lo: mid, hi: hi)
        nodes[index].left = left
        nodes[index].right = right
        return index
    }

    private mutating func leaf(_ index: Int) -> Int {
        leaves.append(index)
        return index
    }

    /// Quickselect: puts the k-th smallest (by `dimension`) at position k, smaller before it.
    private mutating func select(_ points: UnsafePointer<Double>, lo: Int, hi: Int, k: Int, dimension j: Int) {
        var lo = lo, hi = hi - 1
        while lo < hi {
            let pivot = points[Int(indices[(lo + hi) / 2]) * d + j]
            var a = lo, b = hi
            while a <= b {
                while points[Int(indices[a]) * d + j] < pivot { a += 1 }
                while points[Int(indices[b]) * d + j] > pivot { b -= 1 }
                if a <= b {
                    indices.swapAt(a, b)
                    a += 1
                    b -= 1
                }
            }
            if k <= b { hi = b } else if k >= a { lo = a } else { return }
        }
    }

    /// Calls `body` with a read-only ``View`` of the tree, valid only during the call.
    func withView<R>(_ body: (View) -> R) -> R {
        nodes.withUnsafeBufferPointer { nb in
            boxes.withUnsafeBufferPointer { bb in
                columns.withUnsafeBufferPointer { cb in
                    indices.withUnsafeBufferPointer { ib in
                        body(View(count: count, d: d, nodes: nb, boxes: bb, columns: cb, indices: ib))
                    }
                }
            }
        }
    }

    /// Calls `body` with every row within Euclidean distance `radius` of row `query` of `x`
    /// (the matrix the tree was built on), itself included.
    /// - Complexity: one pruned traversal; allocation-free.
    func forEachNeighbour(of query: Int, in x: Matrix, radius: Double, _ body: (Int) -> Void) {
        let r2 = radius * radius
        withView { view in
            x.elements.withUnsafeBufferPointer { xb in
                guard let base = xb.baseAddress else { return }
                let q = base + query * d
                withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { buffer in
                    guard let out = buffer.baseAddress else { return }
                    view.forEachLeaf(near: q, within: r2) { leaf in
                        let node = view.nodes[leaf]
                        view.squaredDistances(from: q, toLeaf: leaf, into: out)
                        for p in node.lo..<node.hi where out[p - node.lo] <= r2 { body(Int(view.indices[p])) }
                        return true
                    }
                }
            }
        }
    }
}
