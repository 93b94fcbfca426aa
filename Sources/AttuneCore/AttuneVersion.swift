/// Attune's version, as printed by `attune --version` and recorded in snapshots and logs.
public enum AttuneVersion {
    /// Semantic version of this build.
    public static let current = "0.1.0"
}
