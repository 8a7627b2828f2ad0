import Foundation

/// Metrics for people, reported separately from the loss a model was trained on.
public enum Metrics {
    // MARK: regression

    public struct Regression: Sendable, Equatable {
        public var mae: Double
        public var rmse: Double
        public var r2: Double
    }

    public static func regression(pred: [Double], target: [Double]) -> Regression {
        precondition(pred.count == target.count && !pred.isEmpty)
        let n = Double(pred.count)
        var abs = 0.0, sq = 0.0
        for (p, t) in zip(pred, target) {
            abs += Swift.abs(p - t)
            sq += (p - t) * (p - t)
        }
        let mean = target.reduce(0, +) / n
        let total = target.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return Regression(mae: abs / n, rmse: (sq / n).squareRoot(), r2: total > 0 ? 1 - sq / total : .nan)
    }

    // MARK: binary

    public struct Binary: Sendable, Equatable {
        public var accuracy: Double
        public var precision: Double
        public var recall: Double
        public var f1: Double
        public var rocAUC: Double
        public var logLoss: Double
        /// [[TN, FP], [FN, TP]]: rows are the true class, columns the predicted one.
        public var confusion: [[Int]]
        public var truePositives: Int { confusion[1][1] }
        public var falsePositives: Int { confusion[0][1] }
        public var falseNegatives: Int { confusion[1][0] }
        public var trueNegatives: Int { confusion[0][0] }
    }

    /// `probability` is the predicted probability of class 1; a row is predicted
    /// positive when it is >= `threshold`. Precision is 0 when nothing is predicted positive.
    public static func binary(probability: [Double], label: [Double], threshold: Double = 0.5) -> Binary {
        precondition(probability.count == label.count && !label.isEmpty)
        var c = [[0, 0], [0, 0]]
        var logLoss = 0.0
        for (p, y) in zip(probability, label) {
            let truth = y >= 0.5 ? 1 : 0
            let predicted = p >= threshold ? 1 : 0
            c[truth][predicted] += 1
            let q = min(max(p, 1e-15), 1 - 1e-15)
            logLoss -= truth == 1 ? log(q) : log(1 - q)
        }
        let tp = Double(c[1][1]), fp = Double(c[0][1]), fn = Double(c[1][0]), tn = Double(c[0][0])
        let precision = tp + fp > 0 ? tp / (tp + fp) : 0
        let recall = tp + fn > 0 ? tp / (tp + fn) : 0
        let f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0
        return Binary(accuracy: (tp + tn) / Double(label.count), precision: precision, recall: recall, f1: f1,
                      rocAUC: rocAUC(score: probability, label: label), logLoss: logLoss / Double(label.count),
                      confusion: c)
    }

    /// The area under the ROC curve: the probability that a random positive scores
    /// above a random negative, ties counting one half (Mann–Whitney, average ranks).
    /// NaN when one class is absent.
    public static func rocAUC(score: [Double], label: [Double]) -> Double {
        let order = score.indices.sorted { score[$0] < score[$1] }
        var ranks = [Double](repeating: 0, count: score.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && score[order[j + 1]] == score[order[i]] { j += 1 }
            let rank = Double(i + j) / 2 + 1
            for k in i...j { ranks[order[k]] = rank }
            i = j + 1
        }
        var positives = 0.0, rankSum = 0.0
        for (r, y) in zip(ranks, label) where y >= 0.5 {
            positives += 1
            rankSum += r
        }
        let negatives = Double(label.count) - positives
        guard positives > 0, negatives > 0 else { return .nan }
        return (rankSum - positives * (positives + 1) / 2) / (positives * negatives)
    }

    // MARK: multiclass

    public struct Multiclass: Sendable, Equatable {
        public var accuracy: Double
        /// Macro averages over classes.
        public var precision: Double
        public var recall: Double
        public var f1: Double
        /// Macro average of one-vs-rest AUCs.
        public var rocAUC: Double
        public var logLoss: Double
        /// confusion[true][predicted].
        public var confusion: [[Int]]
    }

    /// `probabilities` is N × C row-major; the predicted class is the most probable.
    public static func multiclass(probabilities: [Double], classes: Int, label: [Double]) -> Multiclass {
        let n = label.count
        precondition(probabilities.count == n * classes && n > 0 && classes > 0)
        var c = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        var logLoss = 0.0
        for i in 0..<n {
            let row = probabilities[(i * classes)..<((i + 1) * classes)]
            let predicted = row.indices.max { row[$0] < row[$1] }! - i * classes
            let truth = min(max(Int(label[i]), 0), classes - 1)
            c[truth][predicted] += 1
            logLoss -= log(min(max(row[i * classes + truth], 1e-15), 1))
        }
        var precision = 0.0, recall = 0.0, f1 = 0.0, auc = 0.0, aucCount = 0.0
        for k in 0..<classes {
            let tp = Double(c[k][k])
            let predicted = Double((0..<classes).reduce(0) { $0 + c[$1][k] })
            let actual = Double(c[k].reduce(0, +))
            let p = predicted > 0 ? tp / predicted : 0, r = actual > 0 ? tp / actual : 0
            precision += p
            recall += r
            f1 += p + r > 0 ? 2 * p * r / (p + r) : 0
            let a = rocAUC(score: (0..<n).map { probabilities[$0 * classes + k] },
                           label: label.map { Int($0) == k ? 1 : 0 })
            if !a.isNaN { auc += a; aucCount += 1 }
        }
        let correct = (0..<classes).reduce(0) { $0 + c[$1][$1] }
        let C = Double(classes)
        return Multiclass(accuracy: Double(correct) / Double(n), precision: precision / C, recall: recall / C,
                          f1: f1 / C, rocAUC: aucCount > 0 ? auc / aucCount : .nan, logLoss: logLoss / Double(n),
                          confusion: c)
    }
}
