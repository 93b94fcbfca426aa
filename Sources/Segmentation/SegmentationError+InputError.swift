import AttuneCore

// Bad events, bad matrices and bad parameters are the user's to fix: the command line
// reports them with exit code 64 and their description.
extension SegmentationError: InputError {}

// The method and scaling are read directly from command-line tokens (`--method kmeans`).
extension SegmentationMethod: ArgumentValue {}
extension Scaler.Method: ArgumentValue {}
extension EventReader.ErrorPolicy: ArgumentValue {}
extension GaussianMixture.Covariance: ArgumentValue {}
extension KMeans.Algorithm: ArgumentValue {}
extension SegmentationEmbedding: ArgumentValue {}
