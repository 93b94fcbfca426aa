import Foundation
import Linalg

/// The clustering methods a ``SegmentationModel`` can hold.
public enum SegmentationMethod: String, Sendable, Hashable, Codable, CaseIterable {
    /// k-means (k-means++ seeding, Lloyd iterations, several initialisations).
    case kmeans
    /// Mini-batch k-means (Sculley's updates; for very large inputs).
    case minibatchKMeans = "minibatch_kmeans"
    /// DBSCAN (density-based, with noise).
    case dbscan
    /// Gaussian mixture by EM (k chosen by BIC when automatic).
    case gmm
}

/// The space a segmentation clusters in.
public enum SegmentationEmbedding: String, Sendable, Hashable, Codable, CaseIterable {
    /// The scaled features themselves.
    case scaled
    /// The bottleneck of an ``Autoencoder`` trained on the scaled features.
    case autoencoder
}

/// A complete fitted segmentation: the feature schema, the scaling, the clustering, the
/// rules that explain each segment and the evaluation, in one `Codable` document.
///
/// Assignment applies exactly the fitted transform: raw features → ``scaler`` → the
/// ``autoencoder`` embedding when there is one → the method's nearest centre (k-means),
/// nearest core point (DBSCAN) or most probable component (Gaussian mixture).
public struct SegmentationModel: Sendable, Codable {
    /// The document format and version.
    public var format = "attune.segmentation/1"
    /// The clustering method.
    public var method: SegmentationMethod
    /// The feature names, in column order.
    public var featureNames: [String]
    /// The event feature schema, when the model was fitted on events.
    public var schema: FeatureSchema?
    /// The scaling fitted on the training features.
    public var scaler: Scaler
    /// The autoencoder whose embedding is clustered, when the model was fitted with one.
    public var autoencoder: Autoencoder.Model?
    /// The k-means model, for `method == .kmeans` or `.minibatchKMeans`.
    public var kmeans: KMeans.Model?
    /// The DBSCAN model, for `method == .dbscan`.
    public var dbscan: DBSCAN.Model?
    /// The Gaussian mixture, for `method == .gmm`.
    public var gmm: GaussianMixture.Model?
    /// BIC of every candidate k, when a mixture's k was chosen automatically.
    public var bicScores: [BICScore]?
    /// How k was chosen, when it was chosen automatically.
    public var kSelection: KMeans.Selection?
    /// The explaining tree (fitted on the raw features, so thresholds are in natural units).
    public var tree: DecisionTree.Model
    /// The rules and their fidelity.
    public var rules: RuleSet
    /// Sizes, value, separation and stability.
    public var evaluation: SegmentEvaluation
    /// The training population's feature distribution, for drift monitoring.
    public var drift: DriftMonitor?
    /// The reference time features were computed at (epoch seconds), for event input.
    public var referenceTime: Double?
    /// Wall time of the fit in seconds.
    public var fitSeconds: Double

    /// The number of segments.
    public var segmentCount: Int { kmeans?.segmentCount ?? dbscan?.segmentCount ?? gmm?.segmentCount ?? 0 }

    /// The segment of each row of `raw` (features in original units; −1 for DBSCAN noise).
    /// - Throws: ``SegmentationError/dimensionMismatch(expected:actual:what:)`` when the
    ///   columns do not match the schema, ``SegmentationError/nonFiniteValue(row:column:)``.
    /// - Complexity: that of the method's assignment.
    public func assign(raw: Matrix) throws(SegmentationError) -> [Int] {
        var z = try scaler.transform(raw)
        if let autoencoder { z = try autoencoder.encode(z) }
        if let kmeans { return try kmeans.assign(z) }
        if let dbscan { return try dbscan.assign(z) }
        if let gmm { return try gmm.assign(z) }
        throw .invalidParameter(name: "model", value: method.rawValue, expected: "a fitted \(method.rawValue) model in the document")
    }

    /// The rule text of `segment` (`"noise"` for −1).
    public func rule(for segment: Int) -> String {
        guard segment >= 0, segment < rules.rules.count else { return "noise (no dense neighbourhood)" }
        return rules.rules[segment].description
    }

    // MARK: - JSON

    /// The model as JSON with `snake_case` keys.
    /// - Throws: `EncodingError` (not expected for finite models).
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try encoder.encode(self)
    }

    /// Reads a model written by ``jsonData()``.
    /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the
    ///   problem when the document is not a segmentation model.
    public init(jsonData data: Data) throws(SegmentationError) {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            self = try decoder.decode(SegmentationModel.self, from: data)
        } catch {
            throw .invalidParameter(name: "model", value: "\(error)", expected: "a model file written by `attune segment fit`")
        }
        guard format == "attune.segmentation/1" else {
            throw .invalidParameter(name: "format", value: format, expected: "attune.segmentation/1")
        }
    }

    /// One candidate's Bayesian information criterion.
    public struct BICScore: Sendable, Hashable, Codable {
        /// The candidate number of components.
        public var k: Int
        /// Its BIC (lower is better).
        public var bic: Double
    }

    init(
        method: SegmentationMethod, featureNames: [String], schema: FeatureSchema?, scaler: Scaler, autoencoder: Autoencoder.Model?, kmeans: KMeans.Model?,
        dbscan: DBSCAN.Model?, gmm: GaussianMixture.Model?, bicScores: [BICScore]?, kSelection: KMeans.Selection?, tree: DecisionTree.Model, rules: RuleSet,
        evaluation: SegmentEvaluation, drift: DriftMonitor?, referenceTime: Double?, fitSeconds: Double
    ) {
        self.drift = drift
        self.method = method
        self.featureNames = featureNames
        self.schema = schema
        self.scaler = scaler
        self.autoencoder = autoencoder
        self.kmeans = kmeans
        self.dbscan = dbscan
        self.gmm = gmm
        self.bicScores = bicScores
        self.kSelection = kSelection
        self.tree = tree
        self.rules = rules
        self.evaluation = evaluation
        self.referenceTime = referenceTime
        self.fitSeconds = fitSeconds
    }
}
