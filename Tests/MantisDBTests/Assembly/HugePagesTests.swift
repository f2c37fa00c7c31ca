@testable import MantisDB
import Testing

@Suite("Huge pages for the heap") struct HugePagesTests {
    let madvise = "always [madvise] never\n"

    @Test("re-executes by default, not when opted out, already set, or THP is off or absent")
    func decision() {
        #expect(HugePages.shouldReexecute(optOut: nil, tunables: nil, transparentHugePages: madvise))
        #expect(HugePages.shouldReexecute(optOut: "on", tunables: "glibc.malloc.arena_max=2", transparentHugePages: "[always] madvise never"))
        for optOut in ["off", "OFF", "0", "false", "no"] {
            #expect(!HugePages.shouldReexecute(optOut: optOut, tunables: nil, transparentHugePages: madvise))
        }
        #expect(!HugePages.shouldReexecute(optOut: nil, tunables: "glibc.malloc.hugetlb=0", transparentHugePages: madvise))
        #expect(!HugePages.shouldReexecute(optOut: nil, tunables: nil, transparentHugePages: "always madvise [never]"))
        #expect(!HugePages.shouldReexecute(optOut: nil, tunables: nil, transparentHugePages: nil))
    }

    @Test("the setting keeps other tunables and a given top pad")
    func setting() {
        #expect(HugePages.setting(adding: nil) == "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864")
        #expect(HugePages.setting(adding: "glibc.malloc.arena_max=2")
            == "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864")
        #expect(HugePages.setting(adding: "glibc.malloc.top_pad=1048576") == "glibc.malloc.top_pad=1048576:glibc.malloc.hugetlb=1")
        #expect(HugePages.isEnabled(tunables: HugePages.setting(adding: nil)))
        #expect(!HugePages.isEnabled(tunables: "glibc.malloc.hugetlb=0"))
        #expect(!HugePages.isEnabled(tunables: nil))
    }
}
