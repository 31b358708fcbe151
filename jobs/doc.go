// Package jobs owns ripple's ready-made jobs, built only from the public
// API of event, state, processor and deps: changeprop, entitychange and
// errorlog today; searchindex, anomaly and trending are to come.
package jobs
