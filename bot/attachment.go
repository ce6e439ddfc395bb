package bot

import "time"

// Attachment kinds: a photo a member shared with a case, a voice note
// answering a lesson's question or a case.
const (
	AttachPhoto = "photo"
	AttachVoice = "voice"
)

// Attachment states: a photo waits for its author to check it privately
// before anyone else sees it; then it is shown.
const (
	AttachPending = "pending"
	AttachShown   = "shown"
)

// Attachment is a photo or voice note a member sent, kept in the data
// folder under its content's SHA-256 (a photo only once its metadata is
// gone). It belongs to a case (CaseID), a case still held back for its
// author (PendingID), or an answer to a lesson's question (RunID, Step).
type Attachment struct {
	ID int64
	// Hash names the file: the hex SHA-256 of Data.
	Hash     string
	Kind     string
	MIMEType string
	Size     int
	MemberID int64
	ChatID   int64
	// CaseID, PendingID and RunID with Step say what it belongs to; 0
	// for none.
	CaseID, PendingID, RunID int64
	Step                     int
	// Caption is what the member wrote with it (de-identified).
	Caption string
	Status  string
	Created time.Time
	// Data is the file, when saving or when read with AttachmentData.
	Data []byte
}

// AttachmentStore keeps members' photos and voice notes.
type AttachmentStore interface {
	// SaveAttachment writes a.Data to the data folder under its hash and
	// records it, setting a.ID and a.Hash.
	SaveAttachment(a *Attachment) error
	// AttachmentByID returns an attachment without its data; ErrNotFound
	// when it is gone.
	AttachmentByID(id int64) (Attachment, error)
	// AttachmentData reads an attachment's file.
	AttachmentData(a Attachment) ([]byte, error)
	// ShowAttachment marks an attachment shown, as part of case caseID.
	ShowAttachment(id, caseID int64) error
	// DeleteAttachment removes an attachment; its file goes once nothing
	// else refers to it.
	DeleteAttachment(id int64) error
	// CaseAttachments lists a case's shown attachments, oldest first;
	// PendingAttachments those held with a pending case.
	CaseAttachments(caseID int64) ([]Attachment, error)
	PendingAttachments(pendingID int64) ([]Attachment, error)
}
