// Package jobs owns ripple's ready-made jobs, built only from the public
// API of event, state, processor and deps: changeprop, entitychange,
// errorlog, anomaly and searchindex; trending is to come.
package jobs
