# scale_into (array(float64, 1d, C), array(float64, 1d, C), float, int)
  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
block0:
  movq (%rdi), %rsi
  movq 8(%rdi), %rbx
  movq 0x10(%rdi), %r11
  movq 0x18(%rdi), %r10
  movq 0x20(%rdi), %rcx
  movq 0x28(%rdi), %r9
  movq 0x30(%rdi), %r8
  movq 0x38(%rdi), %r12
  vmovsd 0x40(%rdi), %xmm0
  movq 0x48(%rdi), %rax
  movl 4(%rdx), %edi
  leal 1(%rdi), %r13d
  movl %r13d, 4(%rdx)
  jmp     label1
block1:
  movl 8(%rdx), %r13d
  leal 1(%rdi), %edi
  cmpl %r13d, %edi
  jnbe    label15; j label2
block2:
  jmp     label3
block3:
  jmp     label4
block4:
  movq %rax, %r13
  addq $0x0, %r13
  seto %dil
  cmpq %r8, %r13
  setg %r13b
  orl %edi, %r13d
  testb %r13b, %r13b
  jnz     label5; j label6
block6:
  movq %rax, %r13
  addq $0x0, %r13
  seto %dil
  cmpq %r11, %r13
  setg %r13b
  orl %edi, %r13d
  testb %r13b, %r13b
  jnz     label7; j label8
block8:
  uninit  %rdi
  xorq %rdi, %rdi
  jmp     label9
block9:
  cmpq %rax, %rdi
  jl      label12; j label10
block10:
  jmp     label11
block11:
  addl $0xffffffff, 4(%rdx)
  uninit  %rax
  xorl %eax, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block12:
  vmulsd (%rcx, %rdi, 8), %xmm0, %xmm1
  vmovsd %xmm1, (%rsi, %rdi, 8)
  jmp     label13
block13:
  leaq 1(%rdi), %rdi
  jmp     label9
block5:
  jmp     label14
block7:
  jmp     label14
block14:
  movq %rsi, 0x10(%rdx)
  movq %rbx, 0x18(%rdx)
  movq %r11, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq %rcx, 0x30(%rdx)
  movq %r9, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r12, 0x48(%rdx)
  vmovsd %xmm0, 0x50(%rdx)
  movq %rax, 0x58(%rdx)
  movq $0x1, 0x60(%rdx)
  movq $0x0, 0x68(%rdx)
  movl $0x0, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movl $0x2, %eax
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block15:
  movq %rsi, 0x10(%rdx)
  movq %rbx, 0x18(%rdx)
  movq %r11, 0x20(%rdx)
  movq %r10, 0x28(%rdx)
  movq %rcx, 0x30(%rdx)
  movq %r9, 0x38(%rdx)
  movq %r8, 0x40(%rdx)
  movq %r12, 0x48(%rdx)
  vmovsd %xmm0, 0x50(%rdx)
  movq %rax, 0x58(%rdx)
  movl $0x2, %eax
  movl $0x2, (%rdx)
  addl $0xffffffff, 4(%rdx)
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
