import CLossHost
@testable import LossKit
import XCTest

/// A block loss's lanes (about 24 KB) are kept by its instance between calls,
/// so a small batch allocates nothing; each instance has its own, and a call
/// that finds them taken gets others.
final class BlockScratchTests: XCTestCase {
    /// Where the blocks' lanes were, across instances.
    final class LaneLog: @unchecked Sendable {
        var lanes: [Int] = []
    }

    /// pred² per element (a block loss), recording each block's lanes.
    struct LaneSpy: ElementwiseLoss {
        static let info = LossInfo(id: "lane_spy", summary: "pred squared", kind: .regression, predDoc: "p", targetDoc: "t")
        nonisolated(unsafe) static var log = LaneLog()
        init(_ parameters: ParameterValues) {}
        func derivatives(pred: Double, target: Double) -> Derivatives {
            Derivatives(value: pred * pred, gradient: 2 * pred, hessian: 2)
        }
        static var evaluatesBlocks: Bool { true }
        func evaluate<S: KernelScalar>(block b: ElementBlock<S>) {
            Self.log.lanes.append(Int(bitPattern: b.storage))
            for i in b.indices {
                b.value[i] = b.pred[i] * b.pred[i]
                b.gradient[i] = 2 * b.pred[i]
                b.hessian[i] = 2
            }
        }
    }

    func testAnInstanceReusesItsLanesAndInstancesDoNotShareThem() throws {
        let table = PluginTable(id: "lanes", version: "1.0.0", summary: "a lane spy", losses: [.elementwise(LaneSpy.self)])
        let loss = table.pointer.pointee.losses[0]!
        var first: OpaquePointer?, second: OpaquePointer?
        XCTAssertEqual(loss.pointee.create(loss, nil, 0, &first, nil), lh_status(LH_OK))
        XCTAssertEqual(loss.pointee.create(loss, nil, 0, &second, nil), lh_status(LH_OK))
        defer {
            loss.pointee.destroy(first)
            loss.pointee.destroy(second)
        }
        var pred = [1.0, 2, 3], target = [0.0, 0, 0], gradient = [Double](repeating: 0, count: 3), sum = 0.0
        func call(_ instance: OpaquePointer?) -> lh_status {
            pred.withUnsafeBufferPointer { p in target.withUnsafeBufferPointer { t in
                gradient.withUnsafeMutableBufferPointer { g in withUnsafeMutablePointer(to: &sum) { s in
                    var batch = lh_batch(struct_size: UInt32(MemoryLayout<lh_batch>.size), pred_columns: 1, target_columns: 1,
                                         reserved: 0, rows: 3, pred: p.baseAddress, target: t.baseAddress, weight: nil)
                    var outputs = lh_outputs(struct_size: UInt32(MemoryLayout<lh_outputs>.size), reserved: 0, values: nil,
                                             sum: s, normalizer: nil, gradient: g.baseAddress, hessian: nil)
                    return loss.pointee.evaluate(instance, &batch, &outputs, nil)
                } }
            } }
        }
        LaneSpy.log = LaneLog()
        for instance in [first, first, second, second, first] {
            XCTAssertEqual(call(instance), lh_status(LH_OK))
            XCTAssertEqual(gradient, [2, 4, 6])
            XCTAssertEqual(sum, 14)
        }
        let lanes = LaneSpy.log.lanes
        XCTAssertEqual(lanes.count, 5)
        XCTAssertEqual(Set([lanes[0], lanes[1], lanes[4]]).count, 1, "the first instance's calls: \(lanes)")
        XCTAssertEqual(lanes[2], lanes[3], "the second instance's calls: \(lanes)")
        XCTAssertNotEqual(lanes[0], lanes[2], "two instances share lanes: \(lanes)")
        pred[1] = 5
        XCTAssertEqual(call(first), lh_status(LH_OK))
        XCTAssertEqual(gradient, [2, 10, 6])
    }

    /// A call that finds the lanes taken (a thread-safe instance evaluated by two
    /// threads at once) gets others; each gives its back, and one set is kept.
    func testACallThatFindsTheLanesTakenGetsOthers() {
        let scratch = BlockScratch()
        let held = scratch.take()
        let other = scratch.take()
        XCTAssertNotEqual(held, other)
        scratch.giveBack(held)
        scratch.giveBack(other)  // one was kept already: this one is freed
        XCTAssertEqual(scratch.take(), other)
    }
}
