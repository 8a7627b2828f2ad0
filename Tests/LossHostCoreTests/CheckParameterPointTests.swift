import Foundation
import LossKit
import XCTest
@testable import LossHostABI
@testable import LossHostCheck
@testable import LossHostEngine

/// The parameter points the checks run at, and the boosting check against declared
/// facts (which ABI 1.1 cannot carry, so they are given here), on the standard losses.
final class CheckParameterPointTests: XCTestCase {
    private static let standard: LoadedPlugin = {
        var registry = LossRegistry()
        registry.addBuiltIns()
        return registry.plugins.first { $0.id == "std" }!
    }()

    private func loss(_ id: String) -> LoadedLoss { Self.standard.losses.first { $0.info.id == id }! }

    private func context(_ id: String, pinned: [String] = [], seed: UInt64 = 5) throws -> LossCheckContext {
        let loss = loss(id)
        let points = try ParameterPoint.all(for: loss.info, pinned: pinned, columns: 3, seed: seed)
        return LossCheckContext(loss: loss, seed: seed, points: points, stage: { _ in })
    }

    private func scalars(_ point: ParameterPoint) -> [Double] {
        point.values.map { if case .scalar(let x) = $0 { x } else { .nan } }
    }

    /// huber's delta in (0, 1e6]: the default, 1e-6 inside the excluded 0, the maximum, then
    /// three seeded draws inside the range; the same seed gives the same points.
    func testPointsAreTheDefaultsBothEndsAndSeededDraws() throws {
        let points = try ParameterPoint.all(for: loss("huber").info, pinned: [], columns: 3, seed: 5)
        XCTAssertEqual(points.map(\.kind), [.base, .low, .high, .random, .random, .random])
        XCTAssertEqual(points.prefix(3).map { scalars($0)[0] }, [1, 1e-6, 1e6])
        XCTAssertEqual(points[1].text, "delta=1e-06")
        XCTAssertEqual(points[1].suffix, " (params delta=1e-06)")
        for point in points.dropFirst(3) {
            let delta = scalars(point)[0]
            XCTAssertTrue(delta > 0 && delta <= 1e6, "\(delta)")
        }
        let again = try ParameterPoint.all(for: loss("huber").info, pinned: [], columns: 3, seed: 5)
        XCTAssertEqual(again.map(\.text), points.map(\.text))
        let other = try ParameterPoint.all(for: loss("huber").info, pinned: [], columns: 3, seed: 6)
        XCTAssertNotEqual(other.dropFirst(3).map(\.text), points.dropFirst(3).map(\.text))
    }

    /// Integers and flags take whole values; tau in (0, 1) stays strictly inside.
    func testEndsOfIntegerFlagAndOpenRanges() throws {
        let margin = try ParameterPoint.all(for: loss("multi_margin").info, pinned: [], columns: 4, seed: 1)
        XCTAssertEqual(scalars(margin[1]), [1, 0])
        XCTAssertEqual(scalars(margin[2]), [2, 1e6])
        for point in margin { XCTAssertEqual(scalars(point)[0].rounded(), scalars(point)[0]) }
        let poisson = try ParameterPoint.all(for: loss("poisson_nll").info, pinned: [], columns: 3, seed: 1)
        XCTAssertEqual(scalars(poisson[1]), [0, 0, 1e-12])
        XCTAssertEqual(scalars(poisson[2]), [1, 1, 1])
        let tau = try ParameterPoint.all(for: loss("quantile").info, pinned: [], columns: 3, seed: 1)
        XCTAssertEqual(scalars(tau[1])[0], 1e-6)
        XCTAssertEqual(scalars(tau[2])[0], 1 - 1e-6)
    }

    /// A pinned parameter keeps its value at every point; the others still vary. Pinning
    /// every parameter leaves one point.
    func testPinnedParametersKeepTheirValue() throws {
        let focal = try ParameterPoint.all(for: loss("focal").info, pinned: ["alpha=0.6"], columns: 3, seed: 2)
        XCTAssertEqual(focal.count, 6)
        XCTAssertEqual(Set(focal.map { scalars($0)[0] }), [0.6])
        XCTAssertGreaterThan(Set(focal.map { scalars($0)[1] }).count, 3)
        let one = try ParameterPoint.all(for: loss("huber").info, pinned: ["delta=3"], columns: 3, seed: 2)
        XCTAssertEqual(one.map(\.text), ["delta=3"])
        XCTAssertEqual(try ParameterPoint.all(for: loss("mse").info, pinned: [], columns: 3, seed: 2).map(\.suffix), [""])
        XCTAssertThrowsError(try ParameterPoint.all(for: loss("huber").info, pinned: ["delta=-1"], columns: 3, seed: 2))
    }

    /// Without the sweep only the base point is checked: the pins, the other parameters at their defaults.
    func testNoSweepChecksTheBasePointOnly() throws {
        let focal = try ParameterPoint.all(for: loss("focal").info, pinned: ["alpha=0.6"], sweep: false, columns: 3, seed: 2)
        XCTAssertEqual(focal.map(\.text), ["alpha=0.6 gamma=2"])
        XCTAssertEqual(focal.map(\.kind), [.base])
        XCTAssertEqual(try ParameterPoint.all(for: loss("huber").info, pinned: [], sweep: false, columns: 3, seed: 2).map(\.text),
                       ["delta=1"])
    }

    /// A failure at a point names that point's parameters, and, away from the base point,
    /// that the defaults passed.
    func testAFailureNamesThePointsParameters() throws {
        let ctx = try context("huber")
        XCTAssertThrowsError(try ctx.atEveryPoint { index, _, _, _ in
            if index == 2 { throw CheckFailure("boom") }
        }) { error in
            XCTAssertEqual((error as? CheckFailure)?.detail, "boom (params delta=1000000); the defaults (delta=1) passed")
        }
        XCTAssertThrowsError(try ctx.atEveryPoint { index, _, _, _ in
            if index == 0 { throw CheckFailure("boom") }
        }) { error in
            XCTAssertEqual((error as? CheckFailure)?.detail, "boom (params delta=1)")
        }
    }

    // MARK: boosting conventions against declared facts

    func testZeroHessianWithoutADeclaredSurrogateFails() throws {
        let ctx = try context("mae")
        XCTAssertThrowsError(try BoostingCheck.run(ctx, facts: BoostingFacts(convex: true, piecewiseLinear: true))) { error in
            let detail = (error as? CheckFailure)?.detail ?? "\(error)"
            XCTAssertTrue(detail.hasPrefix("the Hessian is 0 on all 768 elements of a 256-row batch and no surrogate curvature is declared: XGBoost and LightGBM would set every leaf from ΣG / λ (row 0: pred ["),
                          detail)
        }
        let declared = try BoostingCheck.run(ctx, facts: BoostingFacts(convex: true, piecewiseLinear: true, surrogateCurvature: 1))
        XCTAssertTrue(declared.contains("Hessian >= 0 (declared convex); Hessian 0 on whole batches, surrogate curvature 1 declared"), declared)
        // What std/mae declares (ABI 1.2): convex, piecewise linear, surrogate 1.
        let read = BoostingFacts(loss("mae"), abiMinor: 2)
        XCTAssertEqual(read.convex, true)
        XCTAssertEqual(read.surrogateCurvature, 1)
        XCTAssertTrue(read.piecewiseLinear)
        XCTAssertEqual(try BoostingCheck.run(ctx, facts: read), declared)
        // ABI 1.1 cannot declare one: reported, not failed.
        let unknown = try BoostingCheck.run(ctx, facts: BoostingFacts(loss("mae"), abiMinor: 1))
        XCTAssertTrue(unknown.contains("Hessian 0 on a whole batch at 1 param point: this ABI cannot declare a surrogate curvature"), unknown)
        XCTAssertTrue(unknown.contains("convexity not declared"), unknown)
    }

    /// huber declares no surrogate: with delta pinned near 0 (a mae) its Hessian is 0 on a whole
    /// batch at the base point, which fails; at the end of its range, unpinned, it is reported.
    func testZeroHessianIsHeldToAtTheBaseParameters() throws {
        let facts = BoostingFacts(loss("huber"), abiMinor: 2)
        XCTAssertThrowsError(try BoostingCheck.run(try context("huber", pinned: ["delta=1e-9"]), facts: facts)) { error in
            XCTAssertTrue(((error as? CheckFailure)?.detail ?? "").hasPrefix("the Hessian is 0 on all 768 elements"), "\(error)")
            XCTAssertTrue(((error as? CheckFailure)?.detail ?? "").hasSuffix(" (params delta=1e-09)"), "\(error)")
        }
        let free = try BoostingCheck.run(try context("huber"), facts: facts)
        XCTAssertTrue(free.contains("Hessian 0 on a whole batch at 1 param point away from the base parameters and no surrogate curvature declared"), free)
    }

    /// msle's exact Hessian is negative where log(1 + p) − log(1 + t) > 1: declared convex, that fails.
    func testNegativeHessianOfALossDeclaredConvexFails() throws {
        let ctx = try context("msle")
        XCTAssertThrowsError(try BoostingCheck.run(ctx, facts: BoostingFacts(convex: true))) { error in
            let detail = (error as? CheckFailure)?.detail ?? "\(error)"
            XCTAssertTrue(detail.hasPrefix("declared convex, but hessian["), detail)
            XCTAssertTrue(detail.contains("] = -"), detail)
        }
        let honest = try BoostingCheck.run(ctx, facts: BoostingFacts(loss("msle"), abiMinor: 2))
        XCTAssertTrue(honest.contains("Hessian < 0 at "), honest)
        XCTAssertTrue(honest.contains(" elements (not declared convex)"), honest)
        XCTAssertTrue(try BoostingCheck.run(try context("pseudo_huber"), facts: BoostingFacts(convex: true)).contains("Hessian >= 0 (declared convex)"))
    }

    func testADeclaredConstantHessianIsChecked() throws {
        let mse = try BoostingCheck.run(try context("mse"), facts: BoostingFacts(convex: true, hessianConstant: true))
        XCTAssertTrue(mse.hasSuffix("Hessian >= 0 (declared convex); Hessian constant as declared"), mse)
        XCTAssertThrowsError(try BoostingCheck.run(try context("log_cosh"), facts: BoostingFacts(convex: true, hessianConstant: true))) { error in
            XCTAssertTrue(((error as? CheckFailure)?.detail ?? "").hasPrefix("declared a constant Hessian, but hessian["), "\(error)")
        }
    }

    func testRowLossesAreSkipped() throws {
        XCTAssertThrowsError(try BoostingCheck.run(try context("cross_entropy"), facts: BoostingFacts(convex: true))) { error in
            XCTAssertEqual((error as? CheckSkipped)?.reason, "a row loss: boosting objectives are element-wise")
        }
    }
}
