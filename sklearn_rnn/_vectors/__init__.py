"""The word-vector layer: loading, training and aligning pretrained vectors.

gensim, numpy and scikit-learn; never torch. The classifiers call
``PretrainedEmbeddings.build_matrix`` at every fit and copy its rows into
their embedding layer.
"""
