import Foundation
import Prometheus

/// The service's Prometheus metrics, on a registry of its own (no process-wide bootstrap, so tests
/// can run several services). Labels are route templates, methods, statuses, job kinds and dataset
/// names: never ids, tokens or anything about a customer.
final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    static let latencyBuckets: [Duration] = [.microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
                                             .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                                             .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30)]

    func request(route: String, method: String, status: Int, duration: Duration) {
        registry.makeCounter(descriptor: .init(namespace: "custos", metricName: "http_requests", unitName: "total",
                                               helpText: "HTTP requests by route template, method and status"),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeDurationHistogram(descriptor: .init(namespace: "custos", metricName: "http_request_duration", unitName: "seconds",
                                                         helpText: "HTTP request latency by route template"),
                                       labels: [("route", route)], buckets: Self.latencyBuckets).record(duration)
    }

    func job(kind: String, state: String, duration: Duration) {
        registry.makeDurationHistogram(descriptor: .init(namespace: "custos", metricName: "job_duration", unitName: "seconds",
                                                         helpText: "Job run time by kind and final state"),
                                       labels: [("kind", kind), ("state", state)], buckets: Self.latencyBuckets).record(duration)
    }

    /// Values read from the engine when scraped (audit size, epsilon spent, requests open and overdue).
    func set(gauge name: String, unit: String, help: String, labels: [(String, String)] = [], to value: Double) {
        registry.makeGauge(descriptor: .init(namespace: "custos", metricName: name, unitName: unit, helpText: help), labels: labels).set(value)
    }

    func text() -> String { registry.emitToString() }
}
