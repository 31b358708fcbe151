// Package deploy holds what runs ripple outside Go: local/ (scripts that
// start Kafka, Dgraph and Alertmanager on loopback), kubernetes/ (the
// manifests of the changeprop and entitychange jobs), prometheus/ (alerting
// rules and their runbooks) and grafana/ (the dashboard). It has no code;
// its tests check that the manifests agree with each other, that the rules
// pass promtool and fire on synthetic series, and that every metric a rule
// or panel names is one ripple exports (processor/prommetrics). See
// README.md.
package deploy
