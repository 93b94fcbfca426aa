/// How a linear policy shares its model between customer segments.
///
/// With `S` segments, `K` actions and `d` context features:
///
/// | strategy | model | statistics |
/// | --- | --- | --- |
/// | `global` | one model per action, segments ignored | `K` × `d` |
/// | `per_segment` | one independent model per segment and action | `S·K` × `d` |
/// | `shared_one_hot` | one model per action on `[x, onehot(segment)]` | `K` × `(d + S)` |
/// | `hierarchical` | per-segment models shrunk toward the global one | `(S + 1)·K` × `d` |
///
/// The hierarchical estimator replaces the ridge prior `θ ~ N(0, λ⁻¹I)` of each segment's
/// model with `θ_s ~ N(θ_global, λₕ⁻¹I)`, whose posterior mean is
///
/// ```
/// θ_s = (λₕ I + X_sᵀ X_s)⁻¹ (λₕ θ_global + X_sᵀ r_s),   θ_global = (λ I + Xᵀ X)⁻¹ Xᵀ r
/// ```
///
/// A segment with few observations stays close to the global model (it borrows strength);
/// one with many converges to its own least-squares fit. This is the empirical-Bayes
/// "shrinkage toward the pooled estimate" of Gelman & Hill (2007, ch. 12).
public enum SegmentStrategy: String, Sendable, Codable, Equatable, CaseIterable {
    /// One model shared by all segments; the segment id is ignored.
    case global
    /// One independent model per segment.
    case perSegment = "per_segment"
    /// One shared model whose context gets the segment's one-hot indicator appended.
    case sharedOneHot = "shared_one_hot"
    /// Per-segment models regularized toward the global model's coefficients.
    case hierarchical
}
