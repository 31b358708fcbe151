package changeprop

// The coalesce job's output codecs, for the tests of package
// changeprop_test.
var (
	PurgeCodec    = purgeCodec{}
	RerenderCodec = rerenderCodec{}
)
