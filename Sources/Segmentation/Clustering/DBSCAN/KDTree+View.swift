extension KDTree {
    /// Read-only pointers into a ``KDTree``'s storage, valid inside ``KDTree/withView(_:)``,
    /// with the box tests, the leaf traversals and the leaf distance kernel. Shared by the
    /// threads of a parallel phase (nothing is written through it).
    struct View: @unchecked Sendable {
        let count: Int
        let d: Int
        let nodes: UnsafeBufferPointer<Node>
        let boxes: UnsafeBufferPointer<Double>
        let columns: UnsafeBufferPointer<Double>
        let indices: UnsafeBufferPointer<Int32>

        /// The deepest stack a traversal needs: a median-split tree has depth at most
        /// ⌈log₂ n⌉ < 64, and the stack never holds more than depth + 1 entries.
        static let stackCapacity = 128

        // MARK: - Box tests

        /// Squared distance from point `q` to the nearest point of `node`'s box (0 inside).
        @inline(__always)
        func gap(_ q: UnsafePointer<Double>, _ node: Int) -> Double {
            var s = 0.0
            let box = node * 2 * d
            for j in 0..<d {
                let v = q[j]
                let t = max(0, boxes[box + j] - v, v - boxes[box + d + j])
                s += t * t
            }
            return s
        }

        /// Squared distance between the nearest points of two nodes' boxes (0 when they overlap).
        @inline(__always)
        func gap(node a: Int, _ b: Int) -> Double {
            var s = 0.0
            let ba = a * 2 * d, bb = b * 2 * d
            for j in 0..<d {
                let t = max(0, boxes[bb + j] - boxes[ba + d + j], boxes[ba + j] - boxes[bb + d + j])
                s += t * t
            }
            return s
        }

        // MARK: - Distances

        /// Writes the squared Euclidean distance from `q` to every point of leaf `leaf`, in
        /// position order, to `out` (room for ``KDTree/leafSize`` values).
        ///
        /// Summed over the dimensions in order, `((c₀ − q₀)² + (c₁ − q₁)²) + …`, the same
        /// rounding as a row-by-row loop, so the radius tests agree with a brute-force scan.
        @inline(__always)
        func squaredDistances(from q: UnsafePointer<Double>, toLeaf leaf: Int, into out: UnsafeMutablePointer<Double>) {
            let node = nodes[leaf]
            let m = node.hi - node.lo
            guard let base = columns.baseAddress, m > 0 else { return }
            let first = base + node.lo
            let q0 = q[0]
            for b in 0..<m {
                let t = first[b] - q0
                out[b] = t * t
            }
            for j in 1..<max(1, d) {
                let column = first + j * count
                let qj = q[j]
                for b in 0..<m {
                    let t = column[b] - qj
                    out[b] += t * t
                }
            }
        }

        // MARK: - Traversals

        /// Calls `body` with every leaf whose box is within squared distance `r2` of point
        /// `q`, nearer subtrees first, until `body` returns `false`.
        func forEachLeaf(near q: UnsafePointer<Double>, within r2: Double, _ body: (Int) -> Bool) {
            guard !nodes.isEmpty, gap(q, 0) <= r2 else { return }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: View.stackCapacity) { stack in
                var top = 1
                stack[0] = 0
                while top > 0 {
                    top -= 1
                    let node = nodes[stack[top]]
                    if node.left < 0 {
                        guard body(stack[top]) else { return }
                        continue
                    }
                    pushChildren(of: node, near: q, within: r2, onto: stack, top: &top)
                }
            }
        }

        /// Pushes the children of inner node `node` whose boxes are within squared distance
        /// `r2` of `q`, the nearer one last, so that it is searched first.
        @inline(__always)
        func pushChildren(of node: Node, near q: UnsafePointer<Double>, within r2: Double,
                          onto stack: UnsafeMutableBufferPointer<Int>, top: inout Int) {
            let gl = gap(q, node.left), gr = gap(q, node.right)
            let (far, farGap, near, nearGap) = gl <= gr ? (node.right, gr, node.left, gl) : (node.left, gl, node.right, gr)
            if farGap <= r2 { stack[top] = far; top += 1 }
            if nearGap <= r2 { stack[top] = near; top += 1 }
        }

        /// The row of the point nearest to `q` within squared distance `r2` (ties: the highest
        /// row), `nil` when none is that near. The bound shrinks as nearer points are found.
        /// - Complexity: one pruned traversal; allocation-free.
        func nearest(to q: UnsafePointer<Double>, within r2: Double) -> Int? {
            guard !nodes.isEmpty, gap(q, 0) <= r2 else { return nil }
            var best = r2
            var bestRow = -1
            withUnsafeTemporaryAllocation(of: Double.self, capacity: KDTree.leafSize) { distances in
                withUnsafeTemporaryAllocation(of: Int.self, capacity: View.stackCapacity) { stack in
                    guard let out = distances.baseAddress else { return }
                    var top = 1
                    stack[0] = 0
                    while top > 0 {
                        top -= 1
                        let index = stack[top]
                        // Pushed under a larger bound: it may be out of reach now.
                        guard gap(q, index) <= best else { continue }
                        let node = nodes[index]
                        if node.left < 0 {
                            squaredDistances(from: q, toLeaf: index, into: out)
                            for p in node.lo..<node.hi {
                                let v = out[p - node.lo], row = Int(indices[p])
                                if v < best || (v == best && row > bestRow) {
                                    best = v
                                    bestRow = row
                                }
                            }
                            continue
                        }
                        pushChildren(of: node, near: q, within: best, onto: stack, top: &top)
                    }
                }
            }
            return bestRow >= 0 ? bestRow : nil
        }

        /// Calls `body` with every leaf whose box is within squared distance `r2` of the box of
        /// leaf `leaf` and whose positions start at `from` or later, nearer subtrees first,
        /// until `body` returns `false`. `leaf` itself (gap 0) is among them when `from` allows.
        /// Subtrees for which `skipping` returns `true` are left out whole.
        func forEachLeaf(
            nearLeaf leaf: Int, within r2: Double, from: Int = 0, skipping: (Int) -> Bool = { _ in false }, _ body: (Int) -> Bool
        ) {
            guard !nodes.isEmpty else { return }
            withUnsafeTemporaryAllocation(of: Int.self, capacity: View.stackCapacity) { stack in
                var top = 1
                stack[0] = 0
                while top > 0 {
                    top -= 1
                    let index = stack[top]
                    if skipping(index) { continue }
                    let node = nodes[index]
                    if node.left < 0 {
                        guard body(index) else { return }
                        continue
                    }
                    let left = node.left, right = node.right
                    let gl = nodes[left].hi > from ? gap(node: leaf, left) : .infinity
                    let gr = nodes[right].hi > from ? gap(node: leaf, right) : .infinity
                    if gl <= gr {
                        if gr <= r2 { stack[top] = right; top += 1 }
                        if gl <= r2 { stack[top] = left; top += 1 }
                    } else {
                        if gl <= r2 { stack[top] = left; top += 1 }
                        if gr <= r2 { stack[top] = right; top += 1 }
                    }
                }
            }
        }
    }
}
