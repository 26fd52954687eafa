import HTTPSink
