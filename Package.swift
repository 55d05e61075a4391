// swift-tools-version:6.1
import PackageDescription

// Module arrows point one way (the README's module map lists them; scripts/check-imports.py checks
// that every import is declared here):
// custos -> CustosEngine -> {Vault, Governance, Audit, PrivateMining -> {Mining, Privacy}, Rights}
//        -> {Schema, Charts} -> Crypto -> COpenSSL, with CustosBase below all of them;
// CustosBase (calendar, seeded generators, atomic files, CSV writing) sits below them all and depends on nothing.
let package = Package(
    name: "Custos",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "custos", targets: ["custos"]),
        .library(name: "CustosEngine", targets: ["CustosEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "openssl",
            providers: [.apt(["libssl-dev"])]
        ),
        // What several modules would otherwise copy: one calendar, one seeded generator, one atomic
        // file write, one CSV writer. No dependencies.
        .target(name: "CustosBase"),
        .target(name: "CustosCrypto", dependencies: ["COpenSSL"]),
        .target(name: "CustosSchema", dependencies: ["CustosBase", "CustosCrypto", .product(name: "Yams", package: "Yams")]),
        .target(
            name: "CustosVault",
            dependencies: ["CustosBase", "CustosCrypto", "CustosSchema", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .target(
            name: "CustosGovernance",
            dependencies: ["CustosBase", "CustosCrypto", "CustosSchema", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "CustosAudit",
            dependencies: ["CustosBase", "CustosCrypto", "CustosCharts"]
        ),
        .target(name: "CustosPrivacy", dependencies: ["CustosBase", "CustosCrypto"]),
        // Every HTML page (audit report, job results, access report, ROPA): chart geometry, and the one
        // layout and stylesheet with each page's Mustache template as resources in Pages/.
        .target(
            name: "CustosCharts",
            dependencies: [.product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Pages")]
        ),
        .target(name: "CustosMining", dependencies: ["CustosBase"]),
        // Differentially private mining algorithms: CustosMining's kernels under CustosPrivacy's mechanisms.
        .target(name: "CustosPrivateMining", dependencies: ["CustosMining", "CustosPrivacy"]),
        .target(
            name: "CustosRights",
            dependencies: ["CustosBase", "CustosCrypto", "CustosSchema", "CustosCharts"]
        ),
        .target(
            name: "CustosEngine",
            dependencies: [
                "CustosBase", "CustosCrypto", "CustosSchema", "CustosVault", "CustosGovernance", "CustosAudit",
                "CustosPrivacy", "CustosMining", "CustosPrivateMining", "CustosRights", "CustosCharts",
            ]
        ),
        // The demo, the synthetic data generator and the plaintext probe: tooling the CLI links, never
        // part of the engine a deployment embeds.
        .target(
            name: "CustosDemo",
            dependencies: ["CustosEngine", "CustosAudit", "CustosBase", "CustosCrypto", "CustosGovernance", "CustosRights", "CustosSchema",
                           "CustosVault"]
        ),
        // `custos serve`: the only process that opens keys/ and data/; people and tools reach the engine
        // through its authenticated /v1 API (Hummingbird 2; TLS through swift-nio-ssl as transport only).
        .target(
            name: "CustosServer",
            dependencies: [
                "CustosEngine", "CustosAudit", "CustosBase", "CustosCrypto", "CustosGovernance", "CustosPrivacy", "CustosRights",
                "CustosSchema", "CustosVault",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [.copy("openapi.yaml")]
        ),
        // The CLI's side of the API: one small HTTP client that turns problem details into errors.
        .target(
            name: "CustosClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "custos",
            dependencies: [
                "CustosEngine", "CustosDemo", "CustosServer", "CustosClient", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), "CustosAudit", "CustosBase", "CustosCrypto", "CustosGovernance", "CustosRights", "CustosSchema",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test support only: the seeded random source and fixtures live here so that no
        // production target can import them.
        .target(name: "CustosTesting", dependencies: ["CustosBase", "CustosCrypto", "CustosPrivacy"], path: "Sources/CustosTesting"),
        // Benchmarks (release builds): one executable per area, each printing Custos beside the reference tools.
        .executableTarget(name: "bench-vault", dependencies: ["CustosEngine", "CustosVault", "CustosSchema", "CustosCrypto"], path: "Benchmarks/VaultBench"),
        .executableTarget(name: "bench-audit", dependencies: ["CustosAudit", "CustosCrypto"], path: "Benchmarks/AuditBench"),
        .executableTarget(name: "bench-privacy", dependencies: ["CustosPrivacy", "CustosCrypto"], path: "Benchmarks/PrivacyBench"),
        .executableTarget(name: "bench-mining", dependencies: ["CustosBase", "CustosMining"], path: "Benchmarks/MiningBench"),

        .testTarget(name: "CustosBaseTests", dependencies: ["CustosBase"]),
        .testTarget(name: "CustosChartsTests", dependencies: ["CustosCharts"]),
        .testTarget(name: "CustosCryptoTests", dependencies: ["CustosBase", "CustosCrypto"], resources: [.copy("Vectors")]),
        .testTarget(name: "CustosSchemaTests", dependencies: ["CustosSchema", "CustosBase"]),
        .testTarget(name: "CustosVaultTests", dependencies: ["CustosVault", "CustosTesting", "CustosCrypto", "CustosSchema", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "CustosGovernanceTests", dependencies: ["CustosBase", "CustosGovernance", "CustosTesting", "CustosCrypto", "CustosSchema"]),
        .testTarget(name: "CustosAuditTests", dependencies: ["CustosBase", "CustosAudit", "CustosTesting", "CustosCharts", "CustosCrypto"]),
        .testTarget(name: "CustosPrivacyTests", dependencies: ["CustosPrivacy", "CustosTesting", "CustosCrypto"]),
        .testTarget(name: "CustosPrivateMiningTests", dependencies: ["CustosPrivateMining", "CustosTesting", "CustosPrivacy"]),
        .testTarget(name: "CustosMiningTests", dependencies: ["CustosBase", "CustosMining", "CustosTesting"], resources: [.copy("Fixtures")]),
        .testTarget(name: "CustosRightsTests", dependencies: ["CustosRights", "CustosTesting", "CustosBase", "CustosCharts", "CustosCrypto", "CustosSchema"]),
        .testTarget(name: "CustosEngineTests", dependencies: ["CustosDemo", "CustosEngine", "CustosTesting", .product(name: "GRDB", package: "GRDB.swift"), "CustosAudit", "CustosBase", "CustosCharts", "CustosCrypto", "CustosGovernance", "CustosMining", "CustosPrivacy", "CustosRights", "CustosSchema", "CustosVault"]),
        // Starts `custos serve`'s service on an ephemeral loopback port and drives it over HTTP.
        .testTarget(name: "CustosServerTests", dependencies: [
            "CustosServer", "CustosClient", "CustosEngine", "CustosDemo", "CustosAudit", "CustosGovernance", "CustosSchema", "CustosTesting",
            "CustosCrypto", "CustosVault",
            .product(name: "Yams", package: "Yams"), .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"), .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // Runs the built `custos` binary (depending on the executable builds it and allows @testable
        // parsing in process); CustosGovernance gives the golden policy version.
        .testTarget(name: "CustosCLITests", dependencies: ["custos", "CustosGovernance", "CustosCrypto", "CustosRights", "CustosSchema", "CustosTesting", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
    ]
)

// Every module says what it uses: members come only from modules a file imports itself
// (MemberImportVisibility, as Hummingbird does). `.ci/run` also builds with
// `--explicit-target-dependency-import-check=error`, so importing a module that Package.swift does
// not declare as a dependency fails the build.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
