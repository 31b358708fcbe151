// Package jobs owns ripple's ready-made jobs, built only from the public
// API of event, state, processor and deps: changeprop, entitychange,
// searchindex, anomaly, errorlog and trending.
package jobs
