package kafkaclient

import (
	"errors"
	"fmt"

	"github.com/xdg-go/scram"
	"github.com/xdg-go/stringprep"
)

var (
	sha256 = scram.SHA256
	sha512 = scram.SHA512
)

// errSASLprep replaces xdg-go/scram's error for credentials SASLprep
// refuses, which quotes the password.
var errSASLprep = errors.New("the SASL user name or password has characters SCRAM cannot use (control or unassigned characters, RFC 4013): choose other credentials")

// scramClient is sarama's SCRAMClient on xdg-go/scram.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func newScramClient(h scram.HashGeneratorFcn) *scramClient { return &scramClient{hash: h} }

func (c *scramClient) Begin(user, password, authzID string) error {
	cl, err := c.hash.NewClient(user, password, authzID)
	if err != nil {
		return fmt.Errorf("kafkaclient: %w", errSASLprep)
	}
	c.conv = cl.NewConversation()
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

func (c *scramClient) Done() bool { return c.conv.Done() }

// saslprepOK reports whether SCRAM can use the user name and password.
func saslprepOK(user string, password Secret) bool {
	_, uerr := stringprep.SASLprep.Prepare(user)
	_, perr := stringprep.SASLprep.Prepare(string(password))
	return uerr == nil && perr == nil
}
