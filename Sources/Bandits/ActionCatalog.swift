/// The ordered set of actions a policy chooses from.
///
/// Learners address actions by their index in the catalog (`0..<count`), which keeps hot
/// loops free of hashing; ``index(of:)`` maps an ``ActionID`` from an API call to its index.
public struct ActionCatalog: Sendable, Codable, Equatable {
    /// The actions, in catalog order.
    public let actions: [Action]
    private let indexByID: [ActionID: Int]

    /// Creates a catalog.
    /// - Throws: `BanditsError.emptyCatalog` when `actions` is empty,
    ///   `BanditsError.duplicateAction` when two actions share an id,
    ///   `BanditsError.nonFiniteFeature` when an action feature is NaN or infinite,
    ///   `BanditsError.dimensionMismatch` when actions have feature vectors of different lengths.
    public init(_ actions: [Action]) throws(BanditsError) {
        guard !actions.isEmpty else { throw BanditsError.emptyCatalog }
        var index: [ActionID: Int] = [:]
        let featureCount = actions[0].features.count
        for (i, action) in actions.enumerated() {
            if index[action.id] != nil { throw BanditsError.duplicateAction(action.id) }
            index[action.id] = i
            guard action.features.count == featureCount else {
                throw BanditsError.dimensionMismatch(field: "actions[\(i)].features", expected: featureCount, actual: action.features.count)
            }
            if let bad = action.features.firstIndex(where: { !$0.isFinite }) {
                throw BanditsError.nonFiniteFeature(field: "actions[\(i)].features[\(bad)]")
            }
        }
        self.actions = actions
        self.indexByID = index
    }

    /// A catalog of `count` offers named `"0"`, `"1"`, … without features.
    /// - Throws: `BanditsError.emptyCatalog` when `count` < 1.
    public static func numbered(_ count: Int, kind: ActionKind = .offer) throws(BanditsError) -> ActionCatalog {
        guard count >= 1 else { throw BanditsError.emptyCatalog }
        return try ActionCatalog((0..<count).map { Action(id: ActionID(String($0)), kind: kind) })
    }

    /// The number of actions.
    public var count: Int { actions.count }

    /// The length of every action's feature vector (0 when actions carry no features).
    public var actionFeatureCount: Int { actions[0].features.count }

    /// The catalog index of `id`, or `nil` when the catalog has no such action.
    public func index(of id: ActionID) -> Int? { indexByID[id] }

    /// All catalog indices, `0..<count`: the candidates when nothing is excluded.
    public var allIndices: [Int] { Array(actions.indices) }

    /// The candidate indices for an API call: `ids` (or every action when `nil`) minus `excluded`.
    /// - Throws: `BanditsError.unknownAction` for an id not in the catalog,
    ///   `BanditsError.noEligibleAction` when nothing is left.
    public func candidates(ids: [ActionID]? = nil, excluding excluded: Set<ActionID> = []) throws(BanditsError) -> [Int] {
        for id in excluded where indexByID[id] == nil { throw BanditsError.unknownAction(id) }
        var result: [Int] = []
        if let ids {
            result.reserveCapacity(ids.count)
            for id in ids {
                guard let i = indexByID[id] else { throw BanditsError.unknownAction(id) }
                if !excluded.contains(id) { result.append(i) }
            }
        } else {
            result = actions.indices.filter { !excluded.contains(actions[$0].id) }
        }
        guard !result.isEmpty else { throw BanditsError.noEligibleAction }
        return result
    }

    enum CodingKeys: String, CodingKey { case actions }
    /// Decodes the value written by ``encode(to:)``.
    /// - Throws: `DecodingError` for malformed or inconsistent data.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(container.decode([Action].self, forKey: .actions))
    }
    /// Encodes the complete value.
    /// - Throws: the encoder's errors.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(actions, forKey: .actions)
    }
    /// Equal when the actions are equal, in the same order.
    public static func == (lhs: ActionCatalog, rhs: ActionCatalog) -> Bool { lhs.actions == rhs.actions }
}
