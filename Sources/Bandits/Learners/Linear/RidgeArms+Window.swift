import Linalg

// MARK: - Sliding window

extension RidgeArms {
    /// Adds `(x, r, w)` to action `a`'s window and statistics; when the window is full, the
    /// oldest observation `(x₀, r₀, w₀)` leaves it by a Sherman–Morrison downdate:
    /// ```
    /// u = A⁻¹x₀,   A⁻¹ ← A⁻¹ + w₀ u uᵀ / (1 − w₀ x₀ᵀu),   b ← b − w₀ r₀ x₀
    /// ```
    /// Every W updates of an action (and whenever a downdate's denominator is not safely
    /// positive), `A = λI + Σ w x xᵀ` and `b` are rebuilt from the window and `A⁻¹` is
    /// recomputed through a Cholesky factorization, so rounding from downdates cannot
    /// accumulate. The statistics always equal a fresh ridge fit on the last W observations.
    /// - Complexity: O(d²) per update, plus O(W d² + d³) every W updates (amortized
    ///   O(d² + d³/W)); the refactorization allocates its working matrix.
    mutating func addWindowed(action a: Int, x: UnsafePointer<Double>, reward r: Double, weight w: Double,
                              scratch u: UnsafeMutablePointer<Double>) {
        let d = dimension, slot = d + 2
        let ringBase = a * window * slot
        var evicted = -1
        if windowFill[a] == window {
            evicted = windowStart[a]
            windowStart[a] = (windowStart[a] + 1) % window
            windowFill[a] -= 1
        }
        // Add the new observation first (A only grows), then remove the oldest.
        rankOne(action: a, x: x, reward: r, weight: w, scratch: u)
        var needsRefactor = false
        if evicted >= 0 {
            withUnsafeTemporaryAllocation(of: Double.self, capacity: slot) { copy in
                let old = copy.baseAddress!
                windowRing.withUnsafeBufferPointer { ring in
                    old.update(from: ring.baseAddress! + ringBase + evicted * slot, count: slot)
                }
                if !rankOne(action: a, x: old, reward: old[d], weight: -old[d + 1], scratch: u) { needsRefactor = true }
                counts[a] -= old[d + 1]
            }
        }
        let position = (windowStart[a] + windowFill[a]) % window
        windowRing.withUnsafeMutableBufferPointer { ring in
            let p = ring.baseAddress! + ringBase + position * slot
            p.update(from: x, count: d)
            p[d] = r
            p[d + 1] = w
        }
        windowFill[a] += 1
        windowSinceRefactor[a] += 1
        if needsRefactor || windowSinceRefactor[a] >= window {
            refactorFromWindow(a)
        } else {
            updateCoefficients(a)
        }
    }

    /// `A⁻¹ ← A⁻¹ − w u uᵀ / (1 + w xᵀu)` and `b ← b + w r x` (a downdate when w < 0).
    /// Returns `false`, changing nothing, when the denominator is not safely positive.
    @discardableResult
    private mutating func rankOne(action a: Int, x: UnsafePointer<Double>, reward r: Double, weight w: Double,
                                  scratch u: UnsafeMutablePointer<Double>) -> Bool {
        let d = dimension
        return inverses.withUnsafeMutableBufferPointer { invBuffer in
            let inv = invBuffer.baseAddress! + a * d * d
            BLAS.gemv(m: d, n: d, a: inv, lda: d, x: x, y: u)
            let denominator = 1 + w * BLAS.dot(n: d, x: x, y: u)
            // For a downdate 1 − w xᵀA⁻¹x = det(A − w x xᵀ) / det A > 0 in exact arithmetic
            // (what remains is still ⪰ λI); a tiny denominator means rounding has taken over.
            guard denominator > 1e-10 else { return false }
            BLAS.ger(m: d, n: d, alpha: -w / denominator, x: u, y: u, a: inv, lda: d)
            targets.withUnsafeMutableBufferPointer { b in
                BLAS.axpy(n: d, alpha: w * r, x: x, y: b.baseAddress! + a * d)
            }
            return true
        }
    }

    /// `θ_a = A_a⁻¹ b_a` and the largest diagonal entry of `A_a⁻¹`.
    mutating func updateCoefficients(_ a: Int) {
        let d = dimension
        inverses.withUnsafeBufferPointer { invBuffer in
            let inv = invBuffer.baseAddress! + a * d * d
            targets.withUnsafeBufferPointer { b in
                coefficients.withUnsafeMutableBufferPointer { theta in
                    BLAS.gemv(m: d, n: d, a: inv, lda: d, x: b.baseAddress! + a * d, y: theta.baseAddress! + a * d)
                }
            }
            var largest = 0.0
            for i in 0..<d { largest = max(largest, inv[i * d + i]) }
            largestDiagonal[a] = largest
        }
    }

    /// Rebuilds action `a`'s `A⁻¹`, `b`, `θ` and count from the observations in its window:
    /// `A = λI + Σ w x xᵀ` factored by Cholesky and inverted.
    /// - Complexity: O(W d² + d³).
    mutating func refactorFromWindow(_ a: Int) {
        let d = dimension, slot = d + 2
        windowSinceRefactor[a] = 0
        var precision = Matrix(rows: d, columns: d)
        for i in 0..<d { precision.elements[i * d + i] = ridge }
        var total = 0.0
        windowRing.withUnsafeBufferPointer { ring in
            precision.elements.withUnsafeMutableBufferPointer { p in
                targets.withUnsafeMutableBufferPointer { b in
                    let target = b.baseAddress! + a * d
                    target.update(repeating: 0, count: d)
                    for k in 0..<windowFill[a] {
                        let o = ring.baseAddress! + a * window * slot + ((windowStart[a] + k) % window) * slot
                        BLAS.ger(m: d, n: d, alpha: o[d + 1], x: o, y: o, a: p.baseAddress!, lda: d)
                        BLAS.axpy(n: d, alpha: o[d + 1] * o[d], x: o, y: target)
                        total += o[d + 1]
                    }
                }
            }
        }
        counts[a] = total
        // A ⪰ λI > 0, so the factorization cannot fail; should rounding ever make it, the
        // downdated inverse is kept rather than replaced.
        if let inverse = try? precision.cholesky().inverse() {
            inverses.withUnsafeMutableBufferPointer { inv in
                inverse.elements.withUnsafeBufferPointer { src in
                    (inv.baseAddress! + a * d * d).update(from: src.baseAddress!, count: d * d)
                }
            }
        }
        updateCoefficients(a)
    }
}
