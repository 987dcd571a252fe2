"""The review site's app: runs, flagged records (cases), contacts, decisions with four-eyes
approval, the post-discovery checklist, letters, exports and retention."""
