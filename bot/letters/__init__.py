"""Letters: which kinds apply (rules), their text (templates), the PDF, the seal, verification."""
