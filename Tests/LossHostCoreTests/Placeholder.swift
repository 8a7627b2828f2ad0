import XCTest
final class LossHostCoreTestsPlaceholder: XCTestCase { func testNothing() {} }
