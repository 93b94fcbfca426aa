import AttuneCore
import Dispatch
import Linalg

/// The whole fitting pipeline: features → scaling → clustering (with k chosen by silhouette
/// when asked) → explaining tree → evaluation, in one call.
///
/// ```
/// var rng = SeededGenerator(seed: 42)
/// let fitter = try SegmentationFitter(.init(method: .kmeans, k: nil))
/// let model = try fitter.fit(raw: x, featureNames: schema.names, schema: schema, using: &rng)
/// ```
public struct SegmentationFitter: Sendable {
    /// The pipeline's settings.
    public struct Options: Sendable, Hashable {
        /// The clustering method.
        public var method: SegmentationMethod
        /// The number of segments for k-means; `nil` chooses it by silhouette among ``kCandidates``.
        public var k: Int?
        /// The candidates for automatic k.
        public var kCandidates: ClosedRange<Int>
        /// k-means initialisations.
        public var initializations: Int
        /// The scaling.
        public var scaling: Scaler.Method
        /// Depth of the explaining tree.
        public var treeDepth: Int
        /// DBSCAN radius in scaled units.
        public var epsilon: Double
        /// DBSCAN core threshold.
        public var minimumPoints: Int
        /// Rows in the silhouette sample.
        public var silhouetteSample: Int
        /// Bootstrap refits for stability (0 to skip).
        public var bootstrapRuns: Int
        /// Covariance structure of a Gaussian mixture.
        public var covariance: GaussianMixture.Covariance
        /// The k-means iteration scheme.
        public var algorithm: KMeans.Algorithm
        /// The space the clustering runs in: the scaled features, or an autoencoder's embedding of them.
        public var embedding: SegmentationEmbedding
        /// The autoencoder's shape and training, for `embedding == .autoencoder`.
        public var autoencoder: Autoencoder.Configuration

        /// Creates options.
        /// - Throws: ``SegmentationError/invalidParameter(name:value:expected:)`` naming the
        ///   field out of range.
        public init(
            method: SegmentationMethod = .kmeans, k: Int? = nil, kCandidates: ClosedRange<Int> = 2...8,
            initializations: Int = 10, scaling: Scaler.Method = .standard, treeDepth: Int = 4, epsilon: Double = 0.5,
            minimumPoints: Int = 5, silhouetteSample: Int = 2_000, bootstrapRuns: Int = 5,
            covariance: GaussianMixture.Covariance = .full, algorithm: KMeans.Algorithm = .lloyd,
            embedding: SegmentationEmbedding = .scaled, autoencoder: Autoencoder.Configuration? = nil
        ) throws(SegmentationError) {
            if let k, k < 1 { throw .invalidParameter(name: "k", value: "\(k)", expected: "an integer ≥ 1 or auto") }
            guard kCandidates.lowerBound >= 2 else {
                throw .invalidParameter(name: "kCandidates", value: "\(kCandidates)", expected: "a range starting at 2 or more")
            }
            guard silhouetteSample >= 2 else {
                throw .invalidParameter(name: "silhouetteSample", value: "\(silhouetteSample)", expected: "an integer ≥ 2")
            }
            guard bootstrapRuns >= 0 else {
                throw .invalidParameter(name: "bootstrapRuns", value: "\(bootstrapRuns)", expected: "an integer ≥ 0")
            }
            _ = try KMeans.Configuration(k: 1, initializations: initializations)
            _ = try DecisionTree.Configuration(maximumDepth: treeDepth)
            _ = try DBSCAN.Configuration(epsilon: epsilon, minimumPoints: minimumPoints)
            self.method = method
            self.k = k
            self.kCandidates = kCandidates
            self.initializations = initializations
            self.scaling = scaling
            self.treeDepth = treeDepth
            self.epsilon = epsilon
            self.minimumPoints = minimumPoints
            self.silhouetteSample = silhouetteSample
            self.bootstrapRuns = bootstrapRuns
            self.covariance = covariance
            self.algorithm = algorithm
            self.embedding = embedding
            if let autoencoder {
                self.autoencoder = autoencoder
            } else {
                self.autoencoder = try Autoencoder.Configuration()
            }
        }
    }

    /// The settings.
    public let options: Options

    /// Creates a fitter.
    public init(_ options: Options) {
        self.options = options
    }

    /// Fits the pipeline to raw features (original units, one row per customer).
    /// - Throws: ``SegmentationError`` for unusable input (too few rows, NaN, names that do
    ///   not match the columns).
    /// - Complexity: dominated by the clustering fits (k candidates × initialisations, plus
    ///   the bootstrap refits).
    public func fit(
        raw: Matrix, featureNames: [String], schema: FeatureSchema? = nil, referenceTime: Double? = nil,
        using generator: inout SeededGenerator
    ) throws(SegmentationError) -> SegmentationModel {
        let start = DispatchTime.now().uptimeNanoseconds
        guard featureNames.count == raw.columns else {
            throw .dimensionMismatch(expected: raw.columns, actual: featureNames.count, what: "feature names")
        }
        let o = options
        let scaler = try Scaler(fitting: raw, method: o.scaling)
        let scaled = try scaler.transform(raw)
        // Clustering, separation and stability all work in the space the model assigns in.
        var autoencoder: Autoencoder.Model?
        let z: Matrix
        switch o.embedding {
        case .scaled:
            z = scaled
        case .autoencoder:
            var embeddingGenerator = generator.child(5)
            let network = try Autoencoder(o.autoencoder).fit(scaled, using: &embeddingGenerator)
            autoencoder = network
            z = try network.encode(scaled)
        }
        var kmeans: KMeans.Model?
        var dbscan: DBSCAN.Model?
        var selection: KMeans.Selection?
        var gmm: GaussianMixture.Model?
        var bicScores: [SegmentationModel.BICScore]?
        let labels: [Int]
        let segmentCount: Int
        var fitGenerator = generator.child(1)
        switch o.method {
        case .kmeans, .minibatchKMeans:
            var k = o.k ?? 0
            if o.k == nil {
                var selectGenerator = generator.child(2)
                let chosen = try KMeans.selectK(
                    z, candidates: o.kCandidates, configuration: try .init(k: 2, initializations: max(1, o.initializations / 2)),
                    sampleSize: o.silhouetteSample, using: &selectGenerator)
                selection = chosen
                k = chosen.k
            }
            let model = o.method == .kmeans
                ? try KMeans(try .init(k: k, initializations: o.initializations, algorithm: o.algorithm)).fit(z, using: &fitGenerator)
                : try MiniBatchKMeans(try .init(k: k, iterations: 200)).fit(z, using: &fitGenerator)
            kmeans = model
            labels = try model.assign(z)
            segmentCount = k
        case .dbscan:
            let model = try DBSCAN(try .init(epsilon: o.epsilon, minimumPoints: o.minimumPoints)).fit(z)
            dbscan = model
            labels = model.labels
            segmentCount = model.segmentCount
        case .gmm:
            // On standardised features a feature that is constant inside a component would
            // otherwise drive its variance, and the likelihood, to the regulariser's limit.
            let configuration = try GaussianMixture.Configuration(k: o.k ?? 1, covariance: o.covariance, regularization: 1e-2)
            let model: GaussianMixture.Model
            if o.k == nil {
                let chosen = try GaussianMixture.selectK(z, candidates: o.kCandidates, configuration: configuration, using: &fitGenerator)
                model = chosen.model
                bicScores = chosen.scores.map { .init(k: $0.k, bic: $0.bic) }
            } else {
                model = try GaussianMixture(configuration).fit(z, using: &fitGenerator)
            }
            gmm = model
            labels = try model.assign(z)
            segmentCount = model.segmentCount
        }
        // The tree explains the segments in natural units; noise rows are left out.
        let kept = (0..<raw.rows).filter { labels[$0] >= 0 }
        var treeInput = Matrix(rows: kept.count, columns: raw.columns)
        for (r, i) in kept.enumerated() {
            for j in 0..<raw.columns { treeInput.elements[r * raw.columns + j] = raw.elements[i * raw.columns + j] }
        }
        let treeLabels = kept.map { labels[$0] }
        let tree: DecisionTree.Model
        if kept.isEmpty {
            tree = DecisionTree.Model(nodes: [.init(feature: -1, threshold: 0, left: -1, right: -1, prediction: 0, samples: 0)], dimension: raw.columns)
        } else {
            tree = try DecisionTree(try .init(maximumDepth: o.treeDepth)).fit(treeInput, labels: treeLabels)
        }
        let rules = try tree.rules(featureNames: featureNames, x: treeInput, labels: treeLabels, segmentCount: segmentCount)
        var evaluationGenerator = generator.child(3)
        var evaluation = try SegmentEvaluation.evaluate(
            raw: raw, scaled: z, labels: labels, segmentCount: segmentCount, names: featureNames,
            silhouetteSample: o.silhouetteSample, using: &evaluationGenerator)
        if o.bootstrapRuns > 0 && segmentCount > 0 {
            var stabilityGenerator = generator.child(4)
            let initializations = max(1, o.initializations / 2)
            let stability = try SegmentEvaluation.bootstrapStability(
                z, labels: labels, runs: o.bootstrapRuns, using: &stabilityGenerator
            ) { (sample, rng) throws(SegmentationError) in
                switch o.method {
                case .kmeans:
                    return try KMeans(try .init(k: segmentCount, initializations: initializations, algorithm: o.algorithm)).fit(sample, using: &rng).assign(z)
                case .minibatchKMeans:
                    return try MiniBatchKMeans(try .init(k: segmentCount, iterations: 200)).fit(sample, using: &rng).assign(z)
                case .dbscan:
                    return try DBSCAN(try .init(epsilon: o.epsilon, minimumPoints: o.minimumPoints)).fit(sample).assign(z)
                case .gmm:
                    return try GaussianMixture(try .init(k: segmentCount, covariance: o.covariance, regularization: 1e-2)).fit(sample, using: &rng).assign(z)
                }
            }
            evaluation.stabilityMean = stability.mean
            evaluation.stabilityMinimum = stability.minimum
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return SegmentationModel(
            method: o.method, featureNames: featureNames, schema: schema, scaler: scaler, autoencoder: autoencoder, kmeans: kmeans, dbscan: dbscan,
            gmm: gmm, bicScores: bicScores,
            kSelection: selection, tree: tree, rules: rules, evaluation: evaluation,
            drift: try DriftMonitor(reference: raw, names: featureNames), referenceTime: referenceTime,
            fitSeconds: seconds)
    }
}
