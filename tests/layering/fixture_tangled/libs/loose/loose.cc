int Loose() { return 3; }
