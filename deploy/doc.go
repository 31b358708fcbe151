// Package deploy holds what runs ripple outside Go: local/ (scripts that
// start Kafka, Dgraph and Alertmanager on loopback), topology/ (the sample
// topology), kubernetes/ (its jobs and the intake service on Kubernetes),
// prometheus/ (alerting rules and their runbooks) and grafana/ (the
// dashboard). It has no code; its tests check that the manifests agree
// with each other and with the sample topology, that the rules pass
// promtool and fire on synthetic series, and that every metric a rule or
// panel names is one ripple exports (processor/prommetrics). See
// README.md.
package deploy
