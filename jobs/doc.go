// Package jobs owns ripple's ready-made jobs, built only from the public
// API of event, state, processor and deps: changeprop, entitychange,
// errorlog and anomaly today; searchindex and trending are to come.
package jobs
