import LossHostEngine
/// What running one check at every parameter point did: the points it ran at and
/// those whose parameters `create` refused with LH_ERR_INVALID_ARGUMENT (a loss may
/// refuse combinations its declared ranges allow; the lifecycle check counts them too).
struct PointsRun {
    var run = 0
    var refused: [String] = []

    /// Ends a pass detail: "; at 6 param points", with the refused ones; "" when only the base point ran.
    var note: String {
        guard run > 1 || !refused.isEmpty else { return "" }
        let refusedNote = refused.isEmpty ? "" : " (create refused \(refused.joined(separator: "; ")))"
        return "; at \(run) param points\(refusedNote)"
    }
}

extension LossCheckContext {
    /// Runs `body` at every parameter point with an instance and the input domain of that
    /// point; a failure is re-thrown with the point's parameters appended.
    func atEveryPoint(_ body: (_ index: Int, _ point: ParameterPoint, _ instance: RawInstance, _ domain: InputDomain) throws -> Void) throws -> PointsRun {
        var run = PointsRun()
        for (index, point) in points.enumerated() {
            let instance: RawInstance
            switch create(point.values) {
            case .success(let made): instance = made
            case .failure(let status) where status.status == 1 && index > 0:
                run.refused.append(point.text)
                continue
            case .failure(let status):
                throw CheckFailure("create failed with status \(status.status) (\(status.statusName)): \(status.message)\(point.suffix)")
            }
            do {
                try body(index, point, instance, try domain(at: index, instance))
            } catch let failure as CheckFailure {
                // Points after the first run only when it passed.
                throw CheckFailure(failure.detail + point.suffix + (index > 0 ? "; \(baseDescription) passed" : ""))
            }
            run.run += 1
        }
        return run
    }

    /// "the defaults (s=1)", or with `--param` pins "the defaults with --param (s=4 tau=0.5)".
    private var baseDescription: String {
        let defaults = (try? BoundParameters.bind([], to: info).values) == base.values
        return "the defaults\(defaults ? "" : " with --param") (\(base.text))"
    }

    /// The label of a check's random generator at point `index` (the base point keeps the plain label).
    func label(_ check: String, _ index: Int) -> String {
        index == 0 ? "\(info.id).\(check)" : "\(info.id).\(check)@\(index)"
    }
}
