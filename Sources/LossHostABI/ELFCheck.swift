import Foundation

/// Reads an ELF header, so a file that is not a shared object for this machine
/// is refused with a clear reason before `dlopen` sees it.
package enum ELFCheck {
    package static func check(_ path: String) throws(LoadFailure) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadable("cannot open \(path)") }
        defer { try? handle.close() }
        let header = (try? handle.read(upToCount: 20)) ?? Data()
        let bytes = [UInt8](header)
        guard bytes.count >= 20, bytes[0] == 0x7F, bytes[1] == 0x45, bytes[2] == 0x4C, bytes[3] == 0x46 else {
            throw .notELF
        }
        let type = UInt16(bytes[16]) | UInt16(bytes[17]) << 8
        guard type == 3 else { throw .dlopenFailed("ELF type \(type) is not a shared object") }
        let machine = UInt16(bytes[18]) | UInt16(bytes[19]) << 8
        guard bytes[4] == hostClass, machine == hostMachine else {
            throw .wrongArchitecture(machineName(machine, is64: bytes[4] == 2))
        }
    }

    #if arch(x86_64)
    static let hostMachine: UInt16 = 62
    #elseif arch(arm64)
    static let hostMachine: UInt16 = 183
    #else
    static let hostMachine: UInt16 = 0
    #endif
    static let hostClass: UInt8 = MemoryLayout<Int>.size == 8 ? 2 : 1

    static func machineName(_ machine: UInt16, is64: Bool) -> String {
        switch machine {
        case 3: "i386"
        case 40: "arm"
        case 62: is64 ? "x86_64" : "x86_64 with 32-bit class"
        case 183: "aarch64"
        case 243: "riscv"
        case 8: "mips"
        case 20, 21: "powerpc"
        default: "ELF machine \(machine)"
        }
    }
}
