// Face halves of `sijil biometrics match` and `sijil biometrics eval --modality face`,
// shared by the command files of the `biometrics` group. Single-threaded CLI code.
#ifndef SIJIL_SERVER_COMMANDS_BIOMETRICS_FACE_H_
#define SIJIL_SERVER_COMMANDS_BIOMETRICS_FACE_H_

#include <cstddef>
#include <string>

namespace sijil::cli {

// True when `path` holds a 19794-5 face record or a face image (JPEG, PNG, JPEG 2000, PGM)
// rather than a minutiae record.
bool IsFaceInput(const std::string& path);

struct FaceMatchRequest {
  std::string a, b;
  std::string config_path;
  std::string models_dir;  // --face-models: overrides the biometrics.face.* model paths
  bool json = false;
};
// Exit status: 0 match, 1 no match, 2 error.
int RunFaceMatch(const FaceMatchRequest& request);

struct FaceEvalRequest {
  std::string db;
  std::string out = ".";
  std::string config_path;
  std::string models_dir;
  bool json = false;
  bool fallback = true;      // whole image when the detector finds no face
  size_t max_impostors = 0;  // stored embeddings only: cap on impostor pairs (0: all)
};
// `db` is either a folder of face images, one sub-folder per person (face_eval.h), or a
// folder of stored face embeddings named <identity>_<sample>.sfe (as `synth --face` and
// `extract --modality face` write them), evaluated through the face Matcher without any
// model and printed like every other modality (PrintMatcherEvaluation). A folder that holds
// any .sfe file is taken as the second kind.
int RunFaceEval(const FaceEvalRequest& request);

struct FaceExtractRequest {
  std::string input;   // face image or 19794-5 record
  std::string output;  // stored embedding (SerializeFaceEmbedding); empty: none written
  std::string config_path;
  std::string models_dir;
  bool json = false;
};
// Detection, alignment, embedding and quality of one face. Exit status: 0 done, 2 error.
int RunFaceExtract(const FaceExtractRequest& request);

}  // namespace sijil::cli

#endif  // SIJIL_SERVER_COMMANDS_BIOMETRICS_FACE_H_
