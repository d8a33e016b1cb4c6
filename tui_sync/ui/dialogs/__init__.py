"""Modal dialogs: each a ModalScreen that dismisses with the answer."""
