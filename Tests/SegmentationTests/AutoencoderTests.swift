import AttuneCore
import Foundation
import Linalg
import Testing

@testable import Segmentation

@Suite("Autoencoder embedding")
struct AutoencoderTests {
    /// A small network with every weight and bias drawn at random (biases too, so their
    /// gradients are exercised), and a random batch for it.
    static func randomNetwork(widths: [Int], rows: Int, seed: UInt64) throws -> (Autoencoder.Model, Matrix) {
        var rng = SeededGenerator(seed: seed)
        var model = Autoencoder.Model(widths: widths)
        for i in 0..<model.parameters.count { model.parameters[i] = rng.nextStandardNormal() * 0.7 }
        let x = try Matrix(rows: rows, columns: widths[0], elements: (0..<(rows * widths[0])).map { _ in rng.nextStandardNormal() })
        return (model, x)
    }

    @Test("Back-propagated gradients match central finite differences", arguments: [
        ([3, 4, 2, 4, 3], UInt64(1)), ([5, 2, 5], 2), ([4, 6, 3, 2, 3, 6, 4], 3),
    ] as [([Int], UInt64)])
    func gradientsMatchFiniteDifferences(widths: [Int], seed: UInt64) throws {
        let (model, x) = try Self.randomNetwork(widths: widths, rows: 7, seed: seed)
        let (loss, gradient) = try model.lossAndGradient(x)
        #expect(abs(loss - (try model.loss(x))) <= 1e-12 * max(1, loss))
        let h = 1e-6
        var worst = 0.0
        for i in 0..<model.parameters.count {
            var plus = model, minus = model
            plus.parameters[i] += h
            minus.parameters[i] -= h
            let numeric = (try plus.loss(x) - (try minus.loss(x))) / (2 * h)
            worst = max(worst, abs(numeric - gradient[i]) / max(1e-4, abs(numeric) + abs(gradient[i])))
        }
        #expect(worst < 1e-5, "largest relative gradient error \(worst)")
    }

    @Test("Training with Adam lowers the reconstruction loss")
    func lossDecreases() throws {
        let (raw, _) = EventFixtures.mixture(n: 240, k: 3, d: 6, separation: 4, seed: 21)
        let z = try Scaler(fitting: raw, method: .standard).transform(raw)
        var initial = Autoencoder.Model(widths: [6, 12, 2, 12, 6])
        var rng = SeededGenerator(seed: 4)
        initial.initialize(using: &rng)
        var trainer = SeededGenerator(seed: 4)
        let model = try Autoencoder(.init(hiddenWidths: [12], embeddingDimension: 2, epochs: 60, batchSize: 32)).fit(z, using: &trainer)
        let history = model.lossHistory
        #expect(history.count == 60)
        let first = try #require(history.first), last = try #require(history.last)
        #expect(last < 0.5 * first)
        #expect(try model.loss(z) < 0.5 * (try initial.loss(z)))
        // A 2-d bottleneck cannot beat the best rank-2 linear reconstruction by much, and a
        // working network must at least come near it: the residual variance of the
        // standardised data beyond its top two principal directions bounds it from below.
        #expect(try model.loss(z) < 0.6)
    }

    @Test("The same seed gives the same network and embedding; another seed does not")
    func determinism() throws {
        let (raw, _) = EventFixtures.mixture(n: 120, k: 3, d: 5, separation: 4, seed: 8)
        let configuration = try Autoencoder.Configuration(hiddenWidths: [8], embeddingDimension: 2, epochs: 15, batchSize: 16)
        var a = SeededGenerator(seed: 99), b = SeededGenerator(seed: 99), c = SeededGenerator(seed: 100)
        let first = try Autoencoder(configuration).fit(raw, using: &a)
        let second = try Autoencoder(configuration).fit(raw, using: &b)
        let other = try Autoencoder(configuration).fit(raw, using: &c)
        #expect(first == second)
        #expect(try first.encode(raw) == second.encode(raw))
        #expect(first.parameters != other.parameters)
    }

    @Test("A separable mixture, embedded in 2-d and clustered by k-means, is recovered", arguments: [UInt64(31), 32])
    func embeddedMixtureIsClustered(seed: UInt64) throws {
        let (raw, truth) = EventFixtures.mixture(n: 300, k: 3, d: 8, separation: 6, seed: seed)
        let z = try Scaler(fitting: raw, method: .standard).transform(raw)
        var rng = SeededGenerator(seed: seed)
        let network = try Autoencoder(.init(hiddenWidths: [16], embeddingDimension: 2, epochs: 80, batchSize: 32)).fit(z, using: &rng)
        let embedding = try network.encode(z)
        #expect(embedding.rows == 300 && embedding.columns == 2)
        let labels = try KMeans(.init(k: 3, initializations: 4)).fit(embedding, using: &rng).assign(embedding)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, labels) >= 0.9)
    }

    @Test("The pipeline clusters the embedding, stores the network and assigns the same after a JSON round trip")
    func pipeline() throws {
        let (raw, truth) = EventFixtures.mixture(n: 150, k: 3, d: 6, separation: 6, seed: 5)
        let options = try SegmentationFitter.Options(
            method: .kmeans, k: 3, initializations: 3, bootstrapRuns: 0, embedding: .autoencoder,
            autoencoder: .init(hiddenWidths: [12], embeddingDimension: 2, epochs: 60, batchSize: 32))
        var rng = SeededGenerator(seed: 5)
        let model = try SegmentationFitter(options).fit(raw: raw, featureNames: (0..<6).map { "f\($0)" }, using: &rng)
        let network = try #require(model.autoencoder)
        #expect(network.embeddingDimension == 2)
        #expect(model.kmeans?.dimension == 2)
        let labels = try model.assign(raw: raw)
        #expect(try ClusterMetrics.adjustedRandIndex(truth, labels) >= 0.9)
        let reloaded = try SegmentationModel(jsonData: try model.jsonData())
        #expect(try reloaded.assign(raw: raw) == labels)
    }

    @Test("Bad settings name the field", arguments: ["hiddenWidths", "embeddingDimension", "epochs", "batchSize", "learningRate", "beta1", "beta2"])
    func badSettings(field: String) {
        do throws(SegmentationError) {
            switch field {
            case "hiddenWidths": _ = try Autoencoder.Configuration(hiddenWidths: [8, 0])
            case "embeddingDimension": _ = try Autoencoder.Configuration(embeddingDimension: 0)
            case "epochs": _ = try Autoencoder.Configuration(epochs: 0)
            case "batchSize": _ = try Autoencoder.Configuration(batchSize: -1)
            case "learningRate": _ = try Autoencoder.Configuration(learningRate: .nan)
            case "beta1": _ = try Autoencoder.Configuration(beta1: 1)
            default: _ = try Autoencoder.Configuration(beta2: -0.1)
            }
            Issue.record("accepted a bad \(field)")
        } catch {
            guard case .invalidParameter(let name, _, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(name == field)
        }
    }

    @Test("Encoding rejects a wrong width and non-finite values")
    func badInput() throws {
        let (model, x) = try Self.randomNetwork(widths: [3, 2, 3], rows: 4, seed: 1)
        #expect(throws: SegmentationError.dimensionMismatch(expected: 3, actual: 2, what: "autoencoder input columns")) {
            try model.encode(Matrix(rows: 2, columns: 2))
        }
        var bad = x
        bad[1, 2] = .nan
        #expect(throws: SegmentationError.nonFiniteValue(row: 1, column: 2)) { try model.encode(bad) }
    }
}
